using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>A scan takes every file of landing/incoming/: the tests that scan take turns.</summary>
[CollectionDefinition(nameof(LandingScans))]
public sealed class LandingScans;

/// <summary>
/// landing/incoming/: every line ending is picked up, a finished file whose last line has no line
/// break is taken whole once it has settled, and every file's state and reason are listed.
/// </summary>
[Collection(nameof(LandingScans))]
public sealed class LandingTests(MeshFixture mesh) : MeshTests(mesh)
{
    private static string Rows(int first, int count, string date) => string.Concat(Enumerable.Range(first, count).Select(i => Csv.Row(i, date)));

    private string Drop(string name, string content, bool settled)
    {
        var path = Path.Combine(mesh.Landing, "incoming", "landing-tests", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(content));
        if (settled) File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-10));
        return path;
    }

    private async Task<long> IngestAllAsync(IEnumerable<Guid> ingestions)
    {
        long rows = 0;
        foreach (var id in ingestions)
        {
            var status = await mesh.WaitAsync(id);
            Assert.Equal("completed", status["state"]!.GetValue<string>());
            rows += status["rows_read"]!.GetValue<long>();
        }
        return rows;
    }

    private async Task<JsonObject> EntryAsync(string name)
    {
        var files = (await mesh.Ingest.GetFromJsonAsync<JsonArray>("/landing"))!;
        return files.Select(f => f!.AsObject()).Single(f => f["path"]!.GetValue<string>().EndsWith("/" + name, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\r\n")]
    public async Task A_file_with_old_line_endings_is_picked_up_whole(string lineEnd)
    {
        var name = lineEnd == "\r" ? "cr-only.csv" : "crlf.csv";
        var first = lineEnd == "\r" ? 71_000 : 71_100;
        Drop(name, (Csv.Header + Rows(first, 25, "2026/05/02")).Replace("\n", lineEnd), settled: false);

        Assert.Equal(25, await IngestAllAsync(await mesh.ScanAsync()));
        Assert.Equal(25, await mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_id BETWEEN @a AND @b AND transaction_date = '2026-05-02'",
            ("@a", $"{first}_20260502"), ("@b", $"{first + 24}_20260502")));
        Assert.Equal("ingested", (await EntryAsync(name))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_last_line_without_its_line_break_waits_then_is_taken_once_the_file_has_settled()
    {
        var path = Drop("no-final-newline.csv", Csv.Header + Rows(71_200, 10, "2026/05/03").TrimEnd('\n'), settled: false);

        // Still being written, as far as anyone can tell: the complete lines only.
        Assert.Equal(9, await IngestAllAsync(await mesh.ScanAsync()));
        var waiting = await EntryAsync("no-final-newline.csv");
        Assert.Equal("waiting", waiting["state"]!.GetValue<string>());
        Assert.Contains("no line break yet", waiting["reason"]!.GetValue<string>());

        // Unchanged for longer than Ingest:SettleSeconds: finished; the last row is ingested once.
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-10));
        Assert.Equal(1, await IngestAllAsync(await mesh.ScanAsync()));
        Assert.Empty(await mesh.ScanAsync());
        Assert.Equal(10, await mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_id BETWEEN '71200_20260503' AND '71209_20260503' AND transaction_date = '2026-05-03'"));
        Assert.Equal(11, await mesh.CountAsync("SELECT row_version & 0xFFFFFFFF FROM sales WHERE transaction_id = '71209_20260503'"));
        Assert.Equal("ingested", (await EntryAsync("no-final-newline.csv"))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_landing_file_is_listed_with_its_state_and_why_it_is_not_ingested()
    {
        Drop("listed-a-original.csv", Csv.Header + Rows(71_300, 5, "2026/05/04"), settled: true);
        Drop("listed-b-copy.csv", Csv.Header + Rows(71_300, 5, "2026/05/04"), settled: true);
        Drop("listed-empty.csv", "", settled: true);
        Drop("listed-bad-header.csv", "name;email\nann;a@b.c\n", settled: true);
        Drop("listed-partial.csv.part", Csv.Header + Rows(71_400, 5, "2026/05/04"), settled: true);
        Drop(".listed-hidden.csv", Csv.Header + Rows(71_500, 5, "2026/05/04"), settled: true);

        await IngestAllAsyncTolerant(await mesh.ScanAsync());
        await mesh.ScanAsync(); // the copy is seen after the original is ingested

        Assert.Equal("ingested", (await EntryAsync("listed-a-original.csv"))["state"]!.GetValue<string>());
        var copy = await EntryAsync("listed-b-copy.csv");
        Assert.Equal("duplicate", copy["state"]!.GetValue<string>());
        Assert.Contains("listed-a-original.csv", copy["reason"]!.GetValue<string>());
        Assert.Equal("empty", (await EntryAsync("listed-empty.csv"))["state"]!.GetValue<string>());
        var bad = await EntryAsync("listed-bad-header.csv");
        Assert.Equal("failed", bad["state"]!.GetValue<string>());
        Assert.Contains("missing required columns", bad["reason"]!.GetValue<string>());
        Assert.Equal("ignored", (await EntryAsync("listed-partial.csv.part"))["state"]!.GetValue<string>());
        Assert.Equal("ignored", (await EntryAsync(".listed-hidden.csv"))["state"]!.GetValue<string>());
        Assert.Equal(5, await mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_id BETWEEN '71300_20260504' AND '71304_20260504' AND transaction_date = '2026-05-04'"));
        Assert.Equal(0, await mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_id BETWEEN '71400_20260504' AND '71504_20260504' AND transaction_date = '2026-05-04'"));
    }

    /// <summary>Waits for each ingestion to end, whether it completes or fails.</summary>
    private async Task IngestAllAsyncTolerant(IEnumerable<Guid> ingestions)
    {
        foreach (var id in ingestions) await mesh.WaitAsync(id);
    }
}
