using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace CoffeeMesh.Bench;

/// <summary>One ingestion through the running mesh, timed from the request to the last batch in MySQL.</summary>
public sealed record MeshResult(double ReadSeconds, double TotalSeconds, JsonObject Status);

public static class MeshRun
{
    public static async Task<MeshResult> RunAsync(HttpClient ingest, string source)
    {
        var sw = Stopwatch.StartNew();
        var response = await ingest.PostAsJsonAsync("/ingestions", new { source });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["ingestion_id"]!.GetValue<Guid>();
        double? read = null;
        while (true)
        {
            var status = (await ingest.GetFromJsonAsync<JsonObject>($"/ingestions/{id}"))!;
            var state = status["state"]!.GetValue<string>();
            if (read is null && state is "processing" or "completed") read = sw.Elapsed.TotalSeconds;
            if (state == "completed") return new MeshResult(read!.Value, sw.Elapsed.TotalSeconds, status);
            if (state == "failed") throw new InvalidOperationException("ingestion failed: " + status.ToJsonString());
            if (sw.Elapsed > TimeSpan.FromHours(1)) throw new TimeoutException(status.ToJsonString());
            await Task.Delay(100);
        }
    }
}

/// <summary>Peak resident memory (VmHWM) of each CoffeeMesh service process on this machine.</summary>
public static class ServiceMemory
{
    public static readonly string[] Services = ["Ingest", "Transform", "OltpWriter", "OlapSync", "CloudPublisher"];

    public static Dictionary<string, double> PeakMegabytes()
    {
        var result = new Dictionary<string, double>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            var service = Services.FirstOrDefault(s => cmdline.Contains($"/bin/") && cmdline.Contains($"CoffeeMesh.{s}") && !cmdline.Contains("dotnet run"));
            if (service is null) continue;
            try
            {
                var line = File.ReadLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("VmHWM:"));
                if (line is null) continue;
                var kb = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
                result[service] = Math.Max(result.GetValueOrDefault(service), kb / 1024);
            }
            catch (IOException) { }
        }
        return result;
    }
}
