using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>oltp-writer and olap-sync scaled out: the test mesh always runs each as two processes on one queue.</summary>
public sealed class ScaledWriterTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task Two_writer_processes_share_a_backfill_and_store_every_row_once()
    {
        Assert.Equal(MeshFixture.WriterReplicas, await ConsumersAsync($"{mesh.Prefix}-clean-sales-batch", MeshFixture.WriterReplicas));
        const int rows = 40_000; // 40 batches: both processes get some
        var file = mesh.WriteLandingFile("two-writers.csv",
            Csv.Header + string.Concat(Enumerable.Range(1, rows).Select(i => Csv.Row(600_000 + i, "2025/06/15"))));

        var status = await mesh.IngestAsync(file);

        await mesh.AssertEveryRowOnceAsync(status, file, rows);
        Assert.Equal(rows, status["stored_oltp"]!.GetValue<long>());
        var id = status["ingestion_id"]!.GetValue<Guid>();
        Assert.Equal(MeshFixture.WriterReplicas,
            await mesh.CountAsync("SELECT COUNT(DISTINCT stored_by) FROM ingestion_batch WHERE ingestion_id = @id", ("@id", id)));
    }

    [Fact]
    public async Task Two_olap_sync_processes_share_a_backfill_and_the_star_schema_matches_mysql()
    {
        Assert.Equal(MeshFixture.OlapSyncReplicas, await ConsumersAsync($"{mesh.Prefix}-sales-batch-stored", MeshFixture.OlapSyncReplicas));
        const int rows = 40_000;
        var file = mesh.WriteLandingFile("two-syncs.csv",
            Csv.Header + string.Concat(Enumerable.Range(1, rows).Select(i => Csv.Row(700_000 + i, "2025/06/16"))));

        var status = await mesh.IngestAsync(file);

        await mesh.AssertEveryRowOnceAsync(status, file, rows);
        Assert.Equal(rows, status["synced_olap"]!.GetValue<long>());
        var id = status["ingestion_id"]!.GetValue<Guid>();
        Assert.Equal(MeshFixture.OlapSyncReplicas,
            await mesh.OlapCountAsync("SELECT COUNT(DISTINCT synced_by) FROM sync_batch WHERE ingestion_id = @id", ("id", id)));
    }

    /// <summary>The queue's consumer count, once every replica has attached (a minute at most).</summary>
    private static async Task<int> ConsumersAsync(string queue, int expected)
    {
        using var http = RabbitCleanup.Management();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var q = await http.GetFromJsonAsync<JsonObject>($"/api/queues/%2F/{Uri.EscapeDataString(queue)}");
            var consumers = q!["consumers"]?.GetValue<int>() ?? 0;
            if (consumers >= expected || DateTime.UtcNow > deadline) return consumers;
            await Task.Delay(500);
        }
    }
}
