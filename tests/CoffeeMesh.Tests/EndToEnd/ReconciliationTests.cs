using System.Net;
using Aspire.Hosting.Testing;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>olap-sync's reconciliation: MySQL and the star schema compared day by day.</summary>
public sealed class ReconciliationTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task Reconciliation_agrees_after_a_backfill_and_names_the_day_that_differs()
    {
        // Dates no other test uses: the mesh's databases are shared by the run.
        var file = mesh.WriteLandingFile("reconcile.csv", Csv.Header +
            string.Concat(Enumerable.Range(1, 30).Select(i => Csv.Row(800_000 + i, i % 2 == 0 ? "2024/02/28" : "2024/02/29"))));
        await mesh.IngestAsync(file);
        using var olap = mesh.App.CreateHttpClient("olap-sync", "http");

        var report = await olap.GetFromJsonAsync<JsonObject>("/reconciliation?from=2024-02-01&to=2024-02-29");

        Assert.True(report!["agrees"]!.GetValue<bool>(), report.ToJsonString());
        var days = report["days"]!.AsArray();
        Assert.Equal(new[] { "2024-02-28", "2024-02-29" }, days.Select(d => d!["date"]!.GetValue<string>()));
        Assert.All(days, d => Assert.Equal(15, d!["postgresql"]!["rows"]!.GetValue<long>()));

        await mesh.OlapCountAsync("WITH gone AS (DELETE FROM fact_sales WHERE transaction_id = '800002_20240228' RETURNING 1) SELECT COUNT(*) FROM gone");
        var after = await olap.GetFromJsonAsync<JsonObject>("/reconciliation?from=2024-02-01&to=2024-02-29");

        Assert.False(after!["agrees"]!.GetValue<bool>());
        var differs = after["days"]!.AsArray().Single(d => !d!["agrees"]!.GetValue<bool>())!;
        Assert.Equal("2024-02-28", differs["date"]!.GetValue<string>());
        Assert.Equal(15, differs["mysql"]!["rows"]!.GetValue<long>());
        Assert.Equal(14, differs["postgresql"]!["rows"]!.GetValue<long>());
    }

    [Fact]
    public async Task Reconciliation_refuses_a_reversed_or_too_long_range()
    {
        using var olap = mesh.App.CreateHttpClient("olap-sync", "http");

        Assert.Equal(HttpStatusCode.BadRequest, (await olap.GetAsync("/reconciliation?from=2025-02-01&to=2025-01-01")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await olap.GetAsync("/reconciliation?from=2020-01-01&to=2025-01-01")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await olap.GetAsync("/reconciliation?from=yesterday&to=2025-01-01")).StatusCode);
    }
}
