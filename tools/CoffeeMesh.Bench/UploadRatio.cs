using System.Diagnostics;
using CoffeeMesh.Cli;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Bench;

/// <summary>Seconds per run, from the request to the ingestion completed, for a file uploaded and for one already in landing/.</summary>
public sealed record UploadResult(long Rows, IReadOnlyList<double> UploadSeconds, IReadOnlyList<double> LandingSeconds)
{
    public double UploadMedian => Median(UploadSeconds);
    public double LandingMedian => Median(LandingSeconds);
    /// <summary>How much longer the upload path takes: median upload over median landing.</summary>
    public double Ratio => UploadMedian / LandingMedian;

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>
/// The user's two ways in, run alternately: a file from outside landing/ sent over HTTP
/// (<see cref="Ingestions.UploadAsync"/>, what `ingest FILE --wait` does) and the same size of
/// file already placed in landing/ (POST /ingestions). Every run gets files of its own dates, so
/// each inserts new rows as a first ingestion does; a first pair warms the services up and is
/// not counted.
/// </summary>
public static class UploadRatio
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public static async Task<UploadResult> MeasureAsync(BenchMesh mesh, int rows, int runs)
    {
        var outside = Path.Combine(TestEnvironment.RepoRoot, "bench", "data", "upload");
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(Path.Combine(mesh.Landing, "bench"));
        var uploads = new List<double>();
        var landings = new List<double>();
        for (var run = 0; run <= runs; run++)
        {
            // Files of other dates per run and way: 2040 on, 200 days apart.
            var uploaded = Generate(Path.Combine(outside, $"upload-{rows}-{run}.csv"), rows, 2 * run);
            var placed = Generate(Path.Combine(mesh.Landing, "bench", $"placed-{rows}-{run}.csv"), rows, 2 * run + 1);

            // Each way goes first every other run: whatever the previous ingestion leaves behind
            // (a cache warm, a checkpoint due) falls on both alike.
            double upload, landing;
            if (run % 2 == 0)
            {
                upload = await TimeAsync(mesh, () => Ingestions.UploadAsync(mesh.Ingest, uploaded));
                landing = await TimeAsync(mesh, () => Ingestions.RequestAsync(mesh.Ingest, Path.Combine("bench", Path.GetFileName(placed))));
            }
            else
            {
                landing = await TimeAsync(mesh, () => Ingestions.RequestAsync(mesh.Ingest, Path.Combine("bench", Path.GetFileName(placed))));
                upload = await TimeAsync(mesh, () => Ingestions.UploadAsync(mesh.Ingest, uploaded));
            }
            Console.Error.WriteLine($"    {(run == 0 ? "warm-up" : $"run {run}")}: upload {upload:0.00} s, landing {landing:0.00} s");
            if (run == 0) continue;
            uploads.Add(upload);
            landings.Add(landing);
        }
        return new UploadResult(rows, uploads, landings);
    }

    /// <summary>Seconds from starting the request to the ingestion seen completed.</summary>
    private static async Task<double> TimeAsync(BenchMesh mesh, Func<Task<Guid>> start)
    {
        var sw = Stopwatch.StartNew();
        await Ingestions.WaitCompletedAsync(mesh.Ingest, await start(), Poll);
        return sw.Elapsed.TotalSeconds;
    }

    private static string Generate(string path, int rows, int window)
    {
        if (File.Exists(path)) return path; // the same settings write the same file
        var temporary = path + ".tmp";
        using (var writer = new StreamWriter(temporary))
            new SalesGenerator(new GeneratorSettings(rows, new DateOnly(2040, 1, 1).AddDays(200 * window), 180, 0, 7 + window)).Write(writer);
        File.Move(temporary, path);
        return path;
    }
}
