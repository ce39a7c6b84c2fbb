using System.Net;
using System.Net.Http.Json;
using CoffeeMesh.Contracts;
using CoffeeMesh.Tests.Infrastructure;
using RabbitMQ.Client;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>
/// The ingestion ledger: ingest's status is built from the stages' events (SalesBatchCleaned,
/// SalesBatchStored, SalesBatchSynced) and checked against the stores' own counts (IngestionCounted),
/// on the shared mesh.
/// </summary>
public sealed class IngestionLedgerTests(MeshFixture mesh) : MeshTests(mesh)
{
    private static readonly DateOnly Day = new(2025, 11, 3);

    [Fact]
    public async Task Status_equals_what_the_stores_hold_and_says_it_was_verified()
    {
        var relative = FileWithDuplicatesAndBadRows("ledger-verified.csv", 2500, 81_000_000);
        var status = await mesh.WaitAsync(await mesh.RequestAsync(relative));
        var typed = await TypedAsync(status["ingestion_id"]!.GetValue<Guid>());

        await mesh.AssertEveryRowOnceAsync(status, relative, 2500 + 3);
        Assert.True(typed.Verified, "the stages' reports agree with the stores' counts");
        Assert.True(typed.Balanced);
        Assert.NotNull(typed.CompletedAt);
        Assert.Equal(await mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_id BETWEEN 81000000 AND 81999999"), typed.StoredOltp);
        Assert.Equal(2, typed.Quarantined);
        Assert.Equal(2500, typed.StoredOltp); // the repeated id replaced its first row
        Assert.Equal(1, typed.QuarantinedByReason["invalid_date"]);
        Assert.Equal(["ingest", "transform", "oltp-writer", "olap-sync", "cloud-publisher", "warehouse-loader"], typed.Stages.Select(s => s.Stage));
        // Completed means every batch is in all four stores: MySQL, the star schema, the bucket and the warehouse.
        Assert.All(typed.Stages, s => Assert.Equal(typed.Batches, s.Batches));
        Assert.Equal(typed.StoredOltp, typed.PublishedGcs);
        Assert.Equal(typed.StoredOltp, typed.LoadedWarehouse);
        var writer = typed.Stages.Single(s => s.Stage == "oltp-writer");
        Assert.Equal(2501, writer.RowsIn); // given by transform: the repeated id's later row too
        Assert.Equal(2501, writer.RowsOut);
        Assert.Equal(typed.RowsRead, typed.Stages.Single(s => s.Stage == "transform").RowsIn);
    }

    [Fact]
    public async Task A_lost_stage_event_changes_nothing_the_stores_count_fills_it()
    {
        // ingest's ledger queue for SalesBatchSynced is cut off from the exchange: every synced batch's event is lost.
        var relative = FileWithDuplicatesAndBadRows("ledger-lost.csv", 3200, 82_000_000);
        await using var cut = await LedgerCut.StartAsync(mesh.Prefix, "SalesBatchSynced", "batch-synced-ledger");
        var id = await mesh.RequestAsync(relative);
        // Every synced batch's event has left olap-sync's outbox (delivered into the cut: lost).
        await WaitUntilAsync(async () => (await TypedAsync(id)).BatchesStored == 4
            && await mesh.OlapCountAsync("SELECT COUNT(*) FROM sync_batch WHERE ingestion_id = @id", ("@id", id)) == 4
            && await mesh.OlapCountAsync("SELECT COUNT(*) FROM outbox_message WHERE delivered_at IS NULL AND position(@id in body) > 0", ("@id", id.ToString())) == 0);
        Assert.Equal(0, (await TypedAsync(id)).BatchesSynced);
        await cut.DisposeAsync();

        var status = await mesh.WaitAsync(id);
        var typed = await TypedAsync(id);
        await mesh.AssertEveryRowOnceAsync(status, relative, 3200 + 3);
        Assert.Equal(4, typed.BatchesSynced);
        Assert.True(typed.Verified);
    }

    [Fact]
    public async Task Every_event_delivered_twice_is_counted_once()
    {
        var relative = FileWithDuplicatesAndBadRows("ledger-twice.csv", 2100, 83_000_000);
        await using var duplicator = await Duplicator.StartAsync(mesh.Prefix);
        var status = await mesh.WaitAsync(await mesh.RequestAsync(relative));
        var typed = await TypedAsync(status["ingestion_id"]!.GetValue<Guid>());

        Assert.True(duplicator.Copies > 0);
        await mesh.AssertEveryRowOnceAsync(status, relative, 2100 + 3);
        Assert.True(typed.Verified);
        Assert.All(typed.Stages.Where(s => s.Stage != "cloud-publisher"), s => Assert.Equal(3, s.Batches));
        Assert.Equal(2, typed.Quarantined);
        Assert.Equal(2100 + 3, typed.Stages.Single(s => s.Stage == "transform").RowsIn);
    }

    [Fact]
    public async Task Recent_ingestions_are_listed_newest_first()
    {
        var first = await mesh.RequestAsync(mesh.WriteLandingFile("ledger-list-1.csv", Csv.Header + Csv.Row(84_000_001, "2025/11/03")));
        var second = await mesh.RequestAsync(mesh.WriteLandingFile("ledger-list-2.csv", Csv.Header + Csv.Row(84_000_002, "2025/11/03")));
        await mesh.WaitAsync(second);

        // Other test classes ingest at the same time: the two are in order among the recent ones.
        var listed = (await mesh.Ingest.GetFromJsonAsync<List<IngestionStatus>>("/ingestions?limit=50"))!;
        Assert.Equal([second, first], listed.Select(s => s.IngestionId).Where(id => id == first || id == second));
        Assert.Equal(listed.OrderByDescending(s => s.CreatedAt).Select(s => s.IngestionId), listed.Select(s => s.IngestionId));
        Assert.Equal("completed", listed.Single(s => s.IngestionId == second).State);
        Assert.Equal(HttpStatusCode.BadRequest, (await mesh.Ingest.GetAsync("/ingestions?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await mesh.Ingest.GetAsync("/ingestions?limit=100000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mesh.Ingest.GetAsync($"/ingestions/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task A_request_that_is_not_JSON_is_refused_with_a_problem_not_a_server_error()
    {
        var plain = await mesh.Ingest.PostAsync("/ingestions", new StringContent("source=sales.csv", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        var empty = await mesh.Ingest.PostAsync("/ingestions", null);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plain.StatusCode);
        Assert.Contains("application/json", await plain.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, empty.StatusCode);
    }

    /// <summary>A file of <paramref name="rows"/> good rows, plus a row with a bad date, a row with a bad price, and a duplicate of the first id.</summary>
    private string FileWithDuplicatesAndBadRows(string name, int rows, int firstId) =>
        mesh.WriteLandingFile(name, Csv.Header
            + string.Concat(Enumerable.Range(0, rows).Select(i => Csv.Row(firstId + i, "2025/11/03")))
            + Csv.Row(firstId + rows, "2025/13/45")
            + Csv.Row(firstId + rows + 1, "2025/11/03", price: "abc")
            + Csv.Row(firstId, "2025/11/03"));

    private async Task<IngestionStatus> TypedAsync(Guid id) => (await mesh.Ingest.GetFromJsonAsync<IngestionStatus>($"/ingestions/{id}"))!;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition never held");
            await Task.Delay(200);
        }
    }

    /// <summary>Unbinds one of ingest's ledger queues from its message type's exchange (events published meanwhile are lost); dispose to bind it again.</summary>
    private sealed class LedgerCut(IConnection connection, IChannel channel, string source, string destination) : IAsyncDisposable
    {
        private bool _restored;

        public static async Task<LedgerCut> StartAsync(string prefix, string messageType, string consumer)
        {
            var connection = await new ConnectionFactory { Uri = new Uri(TestEnvironment.Get("ConnectionStrings__rabbitmq")) }.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync();
            var cut = new LedgerCut(connection, channel, $"{prefix}.CoffeeMesh.Contracts:{messageType}", $"{prefix}-{consumer}");
            await channel.ExchangeUnbindAsync(cut.Destination, cut.Source, "");
            return cut;
        }

        private string Source => source;
        private string Destination => destination;

        public async ValueTask DisposeAsync()
        {
            if (_restored) return;
            _restored = true;
            await channel.ExchangeBindAsync(destination, source, "");
            await channel.CloseAsync();
            await connection.CloseAsync();
        }
    }
}
