using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>
/// Files dropped in landing/incoming/ are ingested as they arrive, with no scan requested and the
/// schedule a year away: the watcher noticed them.
/// </summary>
public sealed class LandingWatcherTests(WatchedMeshFixture mesh) : MeshTests(mesh), IClassFixture<WatchedMeshFixture>
{
    private static string Rows(int first, int count, string date) => string.Concat(Enumerable.Range(first, count).Select(i => Csv.Row(i, date)));

    /// <summary>The landing file's entry (GET /landing) once it is ingested; two minutes at most.</summary>
    private async Task<JsonObject> IngestedEntryAsync(string relative)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var files = (await mesh.Ingest.GetFromJsonAsync<JsonArray>("/landing"))!;
            var entry = files.Select(f => f!.AsObject()).SingleOrDefault(f => f["path"]!.GetValue<string>() == relative);
            if (entry?["state"]?.GetValue<string>() == "ingested") return entry;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{relative} not ingested: {entry?.ToJsonString() ?? "not listed"}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_file_dropped_in_incoming_is_ingested_without_a_scan_and_reaches_the_star_schema()
    {
        var relative = mesh.WriteLandingFile("incoming/watched/dropped.csv", Csv.Header + Rows(72_000, 40, "2026/06/01"));

        var entry = await IngestedEntryAsync(relative);

        var status = await mesh.WaitAsync(entry["last_ingestion_id"]!.GetValue<Guid>());
        await mesh.AssertEveryRowOnceAsync(status, relative, 40);
    }

    [Fact]
    public async Task A_file_written_under_a_temporary_name_is_ingested_once_whole_when_renamed_into_place()
    {
        var part = mesh.WriteLandingFile("incoming/watched/renamed.csv.part", Csv.Header + Rows(72_100, 30, "2026/06/02"));
        var relative = "incoming/watched/renamed.csv";

        File.Move(Path.Combine(mesh.Landing, part), Path.Combine(mesh.Landing, relative));
        var entry = await IngestedEntryAsync(relative);

        var status = await mesh.WaitAsync(entry["last_ingestion_id"]!.GetValue<Guid>());
        await mesh.AssertEveryRowOnceAsync(status, relative, 30);
        // One ingestion of the whole file: none of the .part name, none of a half-written file.
        Assert.Equal(1, await TestDatabases.ScalarAsync<long>(mesh.IngestConnectionString, "SELECT COUNT(*) FROM ingestion WHERE source LIKE 'incoming/watched/renamed.csv%'"));
    }
}
