using System.Net;
using System.Net.Http.Json;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>The mesh end to end: ingest → transform → oltp-writer → olap-sync, on the real broker and databases.</summary>
public sealed class BackfillTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task Sample_backfill_stores_every_accepted_row_once_with_matching_checksum()
    {
        var source = Path.Combine(TestEnvironment.RepoRoot, "data", "sample-sales.csv");
        File.Copy(source, Path.Combine(mesh.Landing, "sample-backfill.csv"), overwrite: true);

        var status = await mesh.IngestAsync("sample-backfill.csv");

        Assert.Equal("completed", status["state"]!.GetValue<string>());
        Assert.Equal(5000, status["rows_read"]!.GetValue<long>());
        var accepted = status["accepted"]!.GetValue<long>();
        var quarantined = status["quarantined"]!.GetValue<long>();
        Assert.Equal(5000, accepted + quarantined);
        Assert.Equal(14, quarantined); // the sample's deliberately broken rows
        var expected = await SalesChecksum.ExpectedAsync(source);
        var stored = await SalesChecksum.StoredAsync(mesh.OltpConnectionString, status["ingestion_id"]!.GetValue<Guid>());
        Assert.Equal(expected.Count, stored.Count);
        Assert.Equal(expected.Hash, stored.Hash);
        Assert.Equal(expected.Count, status["stored_oltp"]!.GetValue<long>());
        await mesh.AssertStarSchemaMatchesAsync(status);
    }

    [Fact]
    public async Task Backfill_with_a_date_range_keeps_only_rows_inside_it()
    {
        var file = mesh.WriteLandingFile("range.csv", Csv.Header +
            Csv.Row(9001, "2025/03/01") + Csv.Row(9002, "2025/03/02") + Csv.Row(9003, "2025/03/03") + Csv.Row(9004, "2025/03/04"));

        var status = await mesh.IngestAsync(file, new DateOnly(2025, 3, 2), new DateOnly(2025, 3, 3));

        Assert.Equal("completed", status["state"]!.GetValue<string>());
        Assert.Equal(4, status["rows_read"]!.GetValue<long>());
        Assert.Equal(2, status["accepted"]!.GetValue<long>());
        Assert.Equal(2, status["out_of_range"]!.GetValue<long>());
        Assert.Equal(2, status["stored_oltp"]!.GetValue<long>());
        Assert.Equal(1, await mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_id = '9002_20250302'"));
        Assert.Equal(0, await mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_id = '9001_20250301'"));
    }

    [Fact]
    public async Task Ingesting_the_same_file_again_changes_nothing()
    {
        var file = mesh.WriteLandingFile("twice.csv", Csv.Header + string.Concat(Enumerable.Range(1, 2500).Select(i => Csv.Row(20000 + i, "2025/04/01"))));
        var day = new DateOnly(2025, 4, 1);
        var first = await mesh.IngestAsync(file);
        var before = await SalesChecksum.StoredAsync(mesh.OltpConnectionString, date: day);

        var second = await mesh.IngestAsync(file);

        Assert.Equal(2500, first["stored_oltp"]!.GetValue<long>());
        Assert.Equal(2500, second["accepted"]!.GetValue<long>());
        var after = await SalesChecksum.StoredAsync(mesh.OltpConnectionString, date: day);
        Assert.Equal(2500, after.Count);
        Assert.Equal(before, after);
        // The star schema follows: every fact now carries the second ingestion's version, once.
        await mesh.AssertStarSchemaMatchesAsync(second);
        Assert.Equal(2500, second["synced_olap"]!.GetValue<long>());
    }

    [Fact]
    public async Task Duplicate_transaction_ids_in_one_ingestion_keep_the_later_row()
    {
        // Batches are 1000 rows: the two copies of id 30001 travel in different batches.
        var rows = Enumerable.Range(1, 1500).Select(i => Csv.Row(30000 + i, "2025/05/01")).ToList();
        rows[1400] = Csv.Row(30001, "2025/05/01", qty: "7.0");
        var file = mesh.WriteLandingFile("dupes.csv", Csv.Header + string.Concat(rows));

        var status = await mesh.IngestAsync(file);

        Assert.Equal(1500, status["accepted"]!.GetValue<long>());
        Assert.Equal(1499, status["stored_oltp"]!.GetValue<long>());
        Assert.Equal(7, await mesh.CountAsync("SELECT transaction_qty FROM sales WHERE transaction_id = '30001_20250501'"));
        Assert.Equal(7, await mesh.OlapCountAsync("SELECT transaction_qty FROM fact_sales WHERE transaction_id = '30001_20250501'"));
        await mesh.AssertStarSchemaMatchesAsync(status);
    }

    [Fact]
    public async Task A_path_outside_the_landing_folder_is_refused()
    {
        var response = await mesh.Ingest.PostAsJsonAsync("/ingestions", new { source = "../../etc/passwd" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var missing = await mesh.Ingest.PostAsJsonAsync("/ingestions", new { source = "no-such-file.csv" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var empty = await mesh.Ingest.PostAsJsonAsync("/ingestions", new { source = "" });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }
}
