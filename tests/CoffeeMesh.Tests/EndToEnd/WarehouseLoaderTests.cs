using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using CoffeeMesh.Tests.Infrastructure;
using CoffeeMesh.Tests.Warehouse;
using Google.Cloud.Storage.V1;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>
/// warehouse-loader on the shared mesh: the GCS emulator pushes each processed object's finalize CloudEvent to it,
/// and the embedded DuckDB warehouse ends up holding exactly what MySQL holds, day by day.
/// </summary>
public sealed class WarehouseLoaderTests(MeshFixture mesh) : MeshTests(mesh)
{
    private const string Bucket = "coffee-sales-data";

    [Fact]
    public async Task Warehouse_holds_exactly_the_accepted_rows_with_equal_sums()
    {
        var source = mesh.WriteGeneratedFile("warehouse/exact.csv", 4_000, new DateOnly(2019, 1, 1), seed: 191);
        var status = await mesh.IngestAsync(source);
        await mesh.AssertEveryRowOnceAsync(status, source, 4_000);

        var current = status["stored_oltp"]!.GetValue<long>();
        Assert.Equal(current, status["published_gcs"]!.GetValue<long>());
        Assert.Equal(current, status["loaded_warehouse"]!.GetValue<long>());
        Assert.Equal(status["batches"]!.GetValue<int>(), status["batches_loaded"]!.GetValue<int>());
        var report = await ReconcileAsync("2019-01-01", "2019-01-03");
        Assert.True(report["agrees"]!.GetValue<bool>(), report.ToJsonString());
        Assert.Equal(3, report["days"]!.AsArray().Count);
        Assert.Equal(current, report["days"]!.AsArray().Sum(d => d!["warehouse"]!["rows"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Every_finalize_event_delivered_twice_changes_nothing()
    {
        var source = mesh.WriteGeneratedFile("warehouse/twice.csv", 2_500, new DateOnly(2019, 2, 1), seed: 192);
        var status = await mesh.IngestAsync(source);
        Assert.Equal("completed", status["state"]!.GetValue<string>());
        var before = await WarehouseDaysAsync("2019-02-01", "2019-02-03");
        using var loader = mesh.App.CreateHttpClient("warehouse-loader", "http");

        // Each object's event again, in binary mode and in structured mode, as Eventarc's at-least-once delivery may.
        var objects = await ObjectsOfAsync(status["ingestion_id"]!.GetValue<Guid>());
        Assert.NotEmpty(objects);
        foreach (var o in objects)
        {
            using var binary = await loader.SendAsync(FinalizedEvents.Binary(o));
            Assert.Equal(HttpStatusCode.OK, binary.StatusCode);
            using var structured = await loader.SendAsync(FinalizedEvents.Structured(o));
            Assert.Equal(HttpStatusCode.OK, structured.StatusCode);
            Assert.Contains("\"loaded\"", await structured.Content.ReadAsStringAsync());
        }

        Assert.Equal(before, await WarehouseDaysAsync("2019-02-01", "2019-02-03"));
        var after = await mesh.WaitAsync(status["ingestion_id"]!.GetValue<Guid>());
        Assert.Equal(status["loaded_warehouse"]!.GetValue<long>(), after["loaded_warehouse"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_loader_killed_during_a_backfill_loses_nothing()
    {
        var source = mesh.WriteGeneratedFile("warehouse/killed.csv", 12_000, new DateOnly(2019, 3, 1), seed: 193);
        var id = await mesh.RequestAsync(source);
        // Kill it as soon as it has loaded something of this ingestion: later events find it gone and are retried.
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await mesh.Ingest.GetFromJsonAsync<JsonObject>($"/ingestions/{id}"))!["batches_published"]!.GetValue<int>() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "nothing published within two minutes");
            await Task.Delay(100);
        }
        ServiceProcesses.KillOne("warehouse-loader", mesh.Prefix);

        var status = await mesh.WaitAsync(id, TimeSpan.FromMinutes(4));
        await mesh.AssertEveryRowOnceAsync(status, source, 12_000);
        Assert.Equal(status["stored_oltp"]!.GetValue<long>(), status["loaded_warehouse"]!.GetValue<long>());
        var report = await ReconcileAsync("2019-03-01", "2019-03-03");
        Assert.True(report["agrees"]!.GetValue<bool>(), report.ToJsonString());
    }

    [Fact]
    public async Task Reconcile_finds_the_tampered_days_and_repair_mends_them()
    {
        var source = mesh.WriteGeneratedFile("warehouse/tampered.csv", 3_000, new DateOnly(2019, 4, 1), seed: 194);
        var status = await mesh.IngestAsync(source);
        Assert.Equal("completed", status["state"]!.GetValue<string>());
        Assert.True((await ReconcileAsync("2019-04-01", "2019-04-03"))["agrees"]!.GetValue<bool>());

        // The star schema loses facts of one day; the bucket loses an object of another.
        await mesh.OlapCountAsync("WITH gone AS (DELETE FROM fact_sales WHERE date_id = 20190401 AND transaction_id LIKE '%1_20190401' RETURNING 1) SELECT COUNT(*) FROM gone");
        var objects = await ObjectsOfAsync(status["ingestion_id"]!.GetValue<Guid>());
        using var gcs = new StorageClientBuilder { BaseUri = mesh.GcsUrl, UnauthenticatedAccess = true }.Build();
        await gcs.DeleteObjectAsync(Bucket, objects.First(o => o.Name.Contains("date=2019-04-03/")).Name);

        var found = await ReconcileAsync("2019-04-01", "2019-04-03");
        Assert.False(found["agrees"]!.GetValue<bool>());
        var differs = found["days"]!.AsArray().ToDictionary(d => d!["date"]!.GetValue<string>(), d => d!["differs"]!.AsArray().Select(s => s!.GetValue<string>()).ToList());
        Assert.Equal(["postgresql"], differs["2019-04-01"]);
        Assert.Empty(differs["2019-04-02"]);
        Assert.Equal(["gcs"], differs["2019-04-03"]);

        using var response = await mesh.Ingest.PostAsync("/reconciliation/repair?from=2019-04-01&to=2019-04-03", null);
        var repair = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(response.IsSuccessStatusCode, repair.ToJsonString());
        Assert.True(repair["after"]!["agrees"]!.GetValue<bool>(), repair.ToJsonString());
        Assert.Equal(2, repair["repaired"]!.AsArray().Count);
        Assert.True((await ReconcileAsync("2019-04-01", "2019-04-03"))["agrees"]!.GetValue<bool>());
        // The dashboard's aggregate follows the rebuilt day.
        Assert.Equal(await mesh.OlapCountAsync("SELECT COUNT(*) FROM fact_sales WHERE date_id = 20190401"),
            await mesh.OlapCountAsync("SELECT COALESCE(SUM(transactions), 0)::bigint FROM sales_hourly WHERE date_id = 20190401"));
    }

    [Fact]
    public async Task Loader_refuses_what_is_not_an_object_finalized_event_and_acknowledges_objects_not_its_own()
    {
        using var loader = mesh.App.CreateHttpClient("warehouse-loader", "http");
        using var notAnEvent = await loader.PostAsync("/", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notAnEvent.StatusCode);

        var elsewhere = new FinalizedEvents.Target(Bucket, "exports/january.csv", 1, new Dictionary<string, string>());
        using var outside = await loader.SendAsync(FinalizedEvents.Binary(elsewhere));
        Assert.Equal(HttpStatusCode.OK, outside.StatusCode);
        Assert.Contains("\"ignored\"", await outside.Content.ReadAsStringAsync());

        using var huge = await loader.PostAsync("/", new ByteArrayContent(new byte[2 << 20]) { Headers = { { "ce-specversion", "1.0" } } });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);
    }

    private async Task<JsonNode> ReconcileAsync(string from, string to) =>
        (await mesh.Ingest.GetFromJsonAsync<JsonNode>($"/reconciliation?from={from}&to={to}"))!;

    private async Task<string> WarehouseDaysAsync(string from, string to)
    {
        using var loader = mesh.App.CreateHttpClient("warehouse-loader", "http");
        return await loader.GetStringAsync($"/days?from={from}&to={to}");
    }

    private async Task<List<FinalizedEvents.Target>> ObjectsOfAsync(Guid id)
    {
        using var gcs = new StorageClientBuilder { BaseUri = mesh.GcsUrl, UnauthenticatedAccess = true }.Build();
        var list = new List<FinalizedEvents.Target>();
        await foreach (var o in gcs.ListObjectsAsync(Bucket, "processed/"))
            if (o.Name.Contains($"/{id:D}-")) list.Add(new FinalizedEvents.Target(o.Bucket, o.Name, o.Generation!.Value, o.Metadata?.ToDictionary() ?? []));
        return list;
    }
}
