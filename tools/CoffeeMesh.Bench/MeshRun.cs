using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace CoffeeMesh.Bench;

/// <summary>
/// One ingestion through the running mesh, timed from the request: to the end of reading, to the
/// last batch in MySQL, and to the last batch in the star schema (completed).
/// </summary>
/// <param name="PeakBatchesAhead">Most batches read and not yet stored in MySQL at any poll.</param>
/// <param name="BrokerPeakMegabytes">RabbitMQ's largest resident size at any poll (its VmHWM spans runs).</param>
public sealed record MeshResult(double ReadSeconds, double StoredSeconds, double TotalSeconds, JsonObject Status, long PeakBatchesAhead, double BrokerPeakMegabytes);

public static class MeshRun
{
    public static async Task<MeshResult> RunAsync(HttpClient ingest, string source)
    {
        var sw = Stopwatch.StartNew();
        var response = await ingest.PostAsJsonAsync("/ingestions", new { source });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["ingestion_id"]!.GetValue<Guid>();
        double? read = null, stored = null;
        long peakAhead = 0;
        double brokerPeak = 0;
        var broker = MeshProcesses.Broker();
        while (true)
        {
            var status = (await ingest.GetFromJsonAsync<JsonObject>($"/ingestions/{id}"))!;
            var state = status["state"]!.GetValue<string>();
            peakAhead = Math.Max(peakAhead, status["batches"]!.GetValue<long>() - status["batches_stored"]!.GetValue<long>());
            var brokerMb = broker is int pid ? MeshProcesses.ResidentMegabytes(pid, "VmRSS:") : null;
            if (brokerMb is null) broker = MeshProcesses.Broker(); // gone: look again next poll
            brokerPeak = Math.Max(brokerPeak, brokerMb ?? 0);
            if (read is null && state is "processing" or "completed") read = sw.Elapsed.TotalSeconds;
            if (read is not null && stored is null && status["batches_stored"]!.GetValue<long>() >= status["batches"]!.GetValue<long>())
                stored = sw.Elapsed.TotalSeconds;
            if (state == "completed")
                return new MeshResult(read!.Value, stored ?? sw.Elapsed.TotalSeconds, sw.Elapsed.TotalSeconds, status, peakAhead, brokerPeak);
            if (state == "failed") throw new InvalidOperationException("ingestion failed: " + status.ToJsonString());
            if (sw.Elapsed > TimeSpan.FromHours(1)) throw new TimeoutException(status.ToJsonString());
            await Task.Delay(100);
        }
    }
}

/// <summary>
/// The processes of a mesh run, found in /proc: each CoffeeMesh service, and the servers it leans on.
/// Peak RSS (VmHWM) per service, and CPU seconds (user + system) per process group, so a run shows
/// where its two cores went.
/// </summary>
public static class MeshProcesses
{
    public static readonly string[] Services = ["Ingest", "Transform", "OltpWriter", "OlapSync", "CloudPublisher"];

    public static Dictionary<string, double> PeakMegabytes()
    {
        var result = new Dictionary<string, double>();
        foreach (var (pid, name) in Find())
        {
            if (Services.Contains(name) && ResidentMegabytes(pid, "VmHWM:") is double mb)
                result[name] = Math.Max(result.GetValueOrDefault(name), mb);
        }
        return result;
    }

    /// <summary>A line of /proc/PID/status in megabytes (VmHWM: the peak so far, VmRSS: now); null once the process is gone.</summary>
    public static double? ResidentMegabytes(int pid, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field));
            return line is null ? null : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        }
        catch (IOException) { return null; }
    }

    /// <summary>
    /// RabbitMQ's process, if it runs on this machine: the largest Erlang VM, since a passing
    /// `rabbitmqctl` is one too (a run once reported the broker at 0 MB, having picked such a one).
    /// </summary>
    public static int? Broker() => Find().Where(p => p.Name == "rabbitmq")
        .Select(p => (Pid: (int?)p.Pid, Mb: ResidentMegabytes(p.Pid, "VmRSS:") ?? 0)).MaxBy(p => p.Mb).Pid;

    /// <summary>CPU seconds used so far by each live process, with its group name.</summary>
    public static Dictionary<int, (string Name, double Seconds)> CpuSeconds()
    {
        var ticks = 100.0; // USER_HZ on Linux
        var result = new Dictionary<int, (string, double)>();
        foreach (var (pid, name) in Find())
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // fields[11] and [12] are utime and stime (fields 14 and 15 of proc(5), counted after the name)
                result[pid] = (name, (long.Parse(fields[11]) + long.Parse(fields[12])) / ticks);
            }
            catch (IOException) { }
        }
        return result;
    }

    /// <summary>
    /// CPU seconds spent between two snapshots, summed per group (a service's replicas, all postgres
    /// backends). A process that ended in between is not counted: short-lived backends are missed.
    /// </summary>
    public static Dictionary<string, double> Delta(Dictionary<int, (string Name, double Seconds)> before, Dictionary<int, (string Name, double Seconds)> after)
    {
        var result = new Dictionary<string, double>();
        foreach (var (pid, (name, seconds)) in after)
            result[name] = result.GetValueOrDefault(name) + seconds - (before.TryGetValue(pid, out var b) && b.Name == name ? b.Seconds : 0);
        return result;
    }

    private static IEnumerable<(int Pid, string Name)> Find()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            var service = Services.FirstOrDefault(s => cmdline.Contains("/bin/") && cmdline.Contains($"CoffeeMesh.{s}") && !cmdline.Contains("dotnet run"));
            var name = service
                       ?? (cmdline.StartsWith("mariadbd") || cmdline.Contains("/mariadbd ") ? "mariadbd"
                           : cmdline.Contains("beam.smp") ? "rabbitmq"
                           : cmdline.StartsWith("postgres") || cmdline.Contains("/postgres ") ? "postgres"
                           : cmdline.Contains("CoffeeMesh.AppHost") ? "AppHost"
                           // Aspire's local orchestrator and dashboard: a cost of running under Aspire, not of the services.
                           : cmdline.Contains("/dcp ") ? "dcp"
                           : cmdline.Contains("Aspire.Dashboard") ? "AspireDashboard" : null);
            if (name is not null) yield return (pid, name);
        }
    }
}
