using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>oltp-writer's and olap-sync's side of an ingestion's status, as ingest asks for it.</summary>
public sealed class StageReportTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task A_stage_counts_an_ingestions_rows_only_once_it_holds_every_expected_batch()
    {
        // One batch of 30 rows, on a date no other test uses.
        var file = mesh.WriteLandingFile("stage-report.csv", Csv.Header +
            string.Concat(Enumerable.Range(1, 30).Select(i => Csv.Row(860_000 + i, "2024/03/15"))));
        var id = (await mesh.IngestAsync(file))["ingestion_id"]!.GetValue<Guid>();
        using var writer = mesh.App.CreateHttpClient("oltp-writer", "http");
        using var olap = mesh.App.CreateHttpClient("olap-sync", "http");

        foreach (var (stage, rows) in new[] { (writer, "stored_oltp"), (olap, "synced_olap") })
        {
            Assert.Null((await stage.GetFromJsonAsync<JsonObject>($"/ingestions/{id}"))![rows]);
            Assert.Null((await stage.GetFromJsonAsync<JsonObject>($"/ingestions/{id}?expected_batches=2"))![rows]);
            Assert.Equal(30, (await stage.GetFromJsonAsync<JsonObject>($"/ingestions/{id}?expected_batches=1"))![rows]!.GetValue<long>());
            Assert.Equal(HttpStatusCode.BadRequest, (await stage.GetAsync($"/ingestions/{id}?expected_batches=-1")).StatusCode);
        }
    }

    [Fact]
    public async Task oltp_writer_reports_how_many_of_an_ingestions_batches_it_has_stored()
    {
        var file = mesh.WriteLandingFile("progress.csv", Csv.Header +
            string.Concat(Enumerable.Range(1, 2500).Select(i => Csv.Row(870_000 + i, "2024/03/16"))));
        var id = (await mesh.IngestAsync(file))["ingestion_id"]!.GetValue<Guid>();
        using var writer = mesh.App.CreateHttpClient("oltp-writer", "http");

        Assert.Equal(3, (await writer.GetFromJsonAsync<JsonObject>($"/ingestions/{id}/progress"))!["batches_stored"]!.GetValue<int>());
        Assert.Equal(0, (await writer.GetFromJsonAsync<JsonObject>($"/ingestions/{Guid.NewGuid()}/progress"))!["batches_stored"]!.GetValue<int>());
    }
}
