using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CoffeeMesh.Cli;

namespace CoffeeMesh.Bench;

/// <summary>Seconds from writing a file into incoming/ to its ingestion completed (its rows in the star schema), per drop.</summary>
public sealed record FreshnessResult(int Rows, IReadOnlyList<double> Seconds, double WarmupSeconds)
{
    public double Median => Seconds.Count % 2 == 1 ? Percentile(0.5) : (Percentile(0.5) + Percentile(0.5 + 0.5 / Seconds.Count)) / 2;
    public double P90 => Percentile(0.9);

    /// <summary>Nearest-rank percentile of the drops (seconds).</summary>
    public double Percentile(double p)
    {
        var sorted = Seconds.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}

/// <summary>
/// Freshness: files written straight into the watched incoming/ folder one after another (each of
/// other dates, so none is a copy of another), each timed from just before its write to the moment
/// its ingestion is seen completed. Nothing asks for a scan: the watcher (or, without it, the cron
/// schedule) has to notice the file. A first drop warms the services up and is reported apart.
/// </summary>
public static class Freshness
{
    /// <summary>How often the bench looks: the figures are this much coarse at most.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(25);

    public static async Task<FreshnessResult> MeasureAsync(BenchMesh mesh, int rows, int drops)
    {
        var folder = Path.Combine(mesh.Landing, "incoming", "freshness");
        Directory.CreateDirectory(folder);
        var warmup = await DropAsync(mesh, folder, rows, 0);
        var seconds = new List<double>();
        for (var i = 1; i <= drops; i++)
        {
            seconds.Add(await DropAsync(mesh, folder, rows, i));
            Console.Error.WriteLine($"    drop {i}: {seconds[^1]:0.000} s");
        }
        return new FreshnessResult(rows, seconds, warmup);
    }

    private static async Task<double> DropAsync(BenchMesh mesh, string folder, int rows, int index)
    {
        // Generated first, written in one go: the time is the mesh's, not the generator's.
        var text = new StringWriter();
        new SalesGenerator(new GeneratorSettings(rows, new DateOnly(2031, 1, 1).AddDays(index), 1, 0, 100 + index)).Write(text);
        var name = $"drop-{index:D3}.csv";
        var relative = Path.Combine("incoming", "freshness", name);
        var sw = Stopwatch.StartNew();
        await File.WriteAllTextAsync(Path.Combine(folder, name), text.ToString());
        var id = await IngestionOfAsync(mesh.Ingest, relative, sw);
        await Ingestions.WaitCompletedAsync(mesh.Ingest, id, Poll);
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>The ingestion the watcher started for a landing file (GET /landing); gives up after ten minutes.</summary>
    private static async Task<Guid> IngestionOfAsync(HttpClient ingest, string relative, Stopwatch since)
    {
        while (true)
        {
            var files = (await ingest.GetFromJsonAsync<JsonArray>("/landing"))!;
            var entry = files.Select(f => f!.AsObject()).FirstOrDefault(f => f["path"]!.GetValue<string>() == relative);
            if (entry?["last_ingestion_id"] is { } id) return id.GetValue<Guid>();
            if (since.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"{relative} was not picked up: {entry?.ToJsonString() ?? "not listed"}");
            await Task.Delay(Poll);
        }
    }
}
