using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Inbox;
using CoffeeMesh.Messaging.Outbox;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.OltpWriter;
using CoffeeMesh.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoffeeMesh.Tests.OltpWriter;

/// <summary>oltp-writer's write path on a real MariaDB database of its own.</summary>
public sealed class SalesBatchWriterTests : IAsyncLifetime
{
    private readonly string _cs = TestDatabases.OltpDatabase("writer");
    private ServiceStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        _store = ServiceStore.MySql(_cs);
        await Migrations.ApplyAsync(_store, OltpSchema.Migrations, NullLogger.Instance, default);
    }

    public async ValueTask DisposeAsync() => await TestDatabases.DropMySqlAsync(_cs);

    private SalesBatchWriter Writer(ServiceStore? store = null) => new(store ?? _store, new Inbox(store ?? _store), new Outbox(new OutboxSignal()));

    private static CleanSalesBatch Batch(Guid ingestion, int sequence, int from, int count, int qty = 1, long ingestionNumber = 1, long? line = null,
        DateOnly? date = null, string detail = "Our Old Time Diner Blend Sm")
    {
        var day = date ?? new DateOnly(2025, 1, 1);
        var rows = Enumerable.Range(from, count).Select(i => new SalesRow($"{i}_{day:yyyyMMdd}", day, new TimeOnly(8, 0, 0), qty, 3,
            "West Campus", 22, 30.00m, "Coffee", "Drip coffee", detail, qty * 30.00m, line ?? 100 + i)).ToList();
        var runs = AttributeRuns.Of(rows, ingestionNumber);
        return new CleanSalesBatch
        {
            IngestionId = ingestion,
            IngestionNumber = ingestionNumber,
            Sequence = sequence,
            FirstLine = rows.Min(r => r.SourceLine),
            LastLine = rows.Max(r => r.SourceLine),
            RowsRead = count + 1,
            Sales = SalesTsv.Render(rows, ingestionNumber, runs),
            SalesCount = rows.Count,
            Stores = runs.Stores,
            Products = runs.Products,
            Quarantined = [new QuarantinedRow(99_000 + sequence, "bad;line", [new RejectionReason("invalid_date", "x"), new RejectionReason("invalid_qty", "y")])],
        };
    }

    private async Task<long> Count(string sql) => await TestDatabases.ScalarAsync<long>(_cs, sql);

    [Fact]
    public async Task The_same_batch_delivered_twice_stores_its_rows_once_and_emits_one_event()
    {
        var batch = Batch(Guid.NewGuid(), 0, 1, 2000);
        var messageId = MessageIds.For("clean", batch.IngestionId, 0);

        Assert.True(await Writer().WriteAsync(batch, messageId, default));
        Assert.False(await Writer().WriteAsync(batch, messageId, default));

        Assert.Equal(2000, await Count("SELECT COUNT(*) FROM sales"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM quarantined_row"));
        Assert.Equal(2, await Count("SELECT COUNT(*) FROM quarantine_reason"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM ingestion_batch"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM outbox_message"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM stores"));
        Assert.Equal(2000, await Count("SELECT COUNT(*) FROM sales_data"));
    }

    [Fact]
    public async Task Two_writers_at_once_store_exact_counts()
    {
        var ingestion = Guid.NewGuid();
        // Overlapping ids across batches: contention on the same keys, as with N replicas.
        var batches = Enumerable.Range(0, 12).Select(s => Batch(ingestion, s, s * 500 + 1, 1000)).ToList();
        var writers = new[] { Writer(), Writer() };

        await Task.WhenAll(batches.Select((b, i) => Task.Run(async () =>
        {
            for (var attempt = 0; ; attempt++)
            {
                try { await writers[i % 2].WriteAsync(b, MessageIds.For("clean", b.IngestionId, b.Sequence), default); return; }
                catch (MySqlConnector.MySqlException e) when (TransientRetry.IsTransient(e) && attempt < 10) { await Task.Delay(50); }
            }
        })));

        Assert.Equal(11 * 500 + 1000, await Count("SELECT COUNT(*) FROM sales"));
        Assert.Equal(12, await Count("SELECT COUNT(*) FROM ingestion_batch"));
        Assert.Equal(12, await Count("SELECT COUNT(*) FROM outbox_message"));
    }

    [Fact]
    public async Task A_later_row_wins_whatever_order_the_batches_arrive_in()
    {
        var ingestion = Guid.NewGuid();
        var early = Batch(ingestion, 0, 1, 1, qty: 1);
        var late = Batch(ingestion, 1, 1, 1, qty: 4, line: 5000);

        await Writer().WriteAsync(late, Guid.NewGuid(), default);
        await Writer().WriteAsync(early, Guid.NewGuid(), default);

        Assert.Equal(4, await Count("SELECT transaction_qty FROM sales WHERE transaction_id = '1_20250101'"));
        // A later ingestion wins over any line of an earlier one.
        await Writer().WriteAsync(Batch(Guid.NewGuid(), 0, 1, 1, qty: 2, ingestionNumber: 2), Guid.NewGuid(), default);
        Assert.Equal(2, await Count("SELECT transaction_qty FROM sales WHERE transaction_id = '1_20250101'"));
    }

    [Fact]
    public async Task A_batch_of_new_and_stored_ids_inserts_the_new_ones_and_keeps_the_newer_version_of_the_others()
    {
        // Ingestion 2 stores ids 1-10 with quantity 2.
        await Writer().WriteAsync(Batch(Guid.NewGuid(), 0, 1, 10, qty: 2, ingestionNumber: 2), Guid.NewGuid(), default);

        // An older ingestion brings ids 6-15: 6-10 stay as ingestion 2 left them, 11-15 are new.
        await Writer().WriteAsync(Batch(Guid.NewGuid(), 0, 6, 10, qty: 1, ingestionNumber: 1), Guid.NewGuid(), default);
        // A newer one brings ids 14-17: 14-15 are replaced, 16-17 are new.
        await Writer().WriteAsync(Batch(Guid.NewGuid(), 0, 14, 4, qty: 3, ingestionNumber: 3), Guid.NewGuid(), default);

        Assert.Equal(17, await Count("SELECT COUNT(*) FROM sales"));
        Assert.Equal(10, await Count("SELECT COUNT(*) FROM sales WHERE transaction_qty = 2 AND row_version >> 32 = 2"));
        Assert.Equal(3, await Count("SELECT COUNT(*) FROM sales WHERE transaction_qty = 1 AND row_version >> 32 = 1 AND transaction_id IN ('11_20250101', '12_20250101', '13_20250101')"));
        Assert.Equal(4, await Count("SELECT COUNT(*) FROM sales WHERE transaction_qty = 3 AND total_amount = 90.00 AND row_version >> 32 = 3"));
    }

    [Fact]
    public async Task A_row_MySQL_would_alter_is_quarantined_with_its_message_and_the_rest_of_the_batch_is_stored()
    {
        var batch = Batch(Guid.NewGuid(), 0, 1, 100);
        // Impossible dates: a LOCAL load would store them as 0000-00-00 with a warning.
        var lines = batch.Sales.Split('\n');
        lines[0] = lines[0].Replace("2025-01-01", "2025-02-31");
        lines[76] = lines[76].Replace("2025-01-01", "2025-13-01");
        batch = batch with { Sales = string.Join('\n', lines) };

        Assert.True(await Writer().WriteAsync(batch, Guid.NewGuid(), default));

        Assert.Equal(98, await Count("SELECT COUNT(*) FROM sales"));
        Assert.Equal(0, await Count("SELECT COUNT(*) FROM sales WHERE transaction_id IN ('1_20250101', '77_20250101') OR transaction_date = '0000-00-00'"));
        Assert.Equal(2, await Count("SELECT COUNT(*) FROM quarantine_reason WHERE reason = 'store_rejected' AND source_line IN (101, 177) AND detail LIKE 'MySQL: %'"));
        Assert.Equal(98, await Count("SELECT accepted FROM ingestion_batch"));
        Assert.Equal(3, await Count("SELECT quarantined FROM ingestion_batch")); // the batch's own quarantined row, and these two
    }

    [Fact]
    public async Task A_batch_every_row_of_which_MySQL_refuses_alike_goes_to_the_error_queue_not_to_quarantine()
    {
        var batch = Batch(Guid.NewGuid(), 0, 1, 20);
        // Sales of an older transform, without the run references: not 20 bad rows but a message this writer cannot read.
        var oldFormat = batch with { Sales = string.Concat(batch.Sales.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join('\t', l.Split('\t')[..9]) + "\n")) };
        await Assert.ThrowsAsync<InvalidDataException>(() => Writer().WriteAsync(oldFormat, Guid.NewGuid(), default));
        // Every row's date impossible: the batch, not its rows, is at fault.
        var allBad = batch with { Sales = batch.Sales.Replace("\t2025-01-01\t", "\t2025-02-31\t") };
        await Assert.ThrowsAsync<StoreRejectedException>(() => Writer().WriteAsync(allBad, Guid.NewGuid(), default));

        Assert.Equal(0, await Count("SELECT COUNT(*) FROM sales"));
        Assert.Equal(0, await Count("SELECT COUNT(*) FROM quarantined_row"));
        Assert.Equal(0, await Count("SELECT COUNT(*) FROM ingestion_batch"));
    }

    [Fact]
    public async Task Migrations_are_safe_to_rerun()
    {
        await Migrations.ApplyAsync(_store, OltpSchema.Migrations, NullLogger.Instance, default);
        Assert.Equal(MessagingSchema.WithLaterSteps(OltpSchema.Migrations, StoreDialect.MySql).Count, await Count("SELECT COUNT(*) FROM schema_version"));
    }

    [Fact]
    public async Task Sales_stored_before_the_table_was_keyed_by_row_version_survive_the_change_and_ids_stay_unique()
    {
        var cs = TestDatabases.OltpDatabase("writer_rekey");
        try
        {
            var store = ServiceStore.MySql(cs);
            await Migrations.ApplyAsync(store, OltpSchema.Migrations.Where(m => m.Version < 7).ToList(), NullLogger.Instance, default);
            await StoreAsTheOldWriterDidAsync(cs, 300, "Our Old Time Diner Blend Sm");

            await Migrations.ApplyAsync(store, OltpSchema.Migrations, NullLogger.Instance, default);
            // A later ingestion of the same ids replaces them: transaction_id is still unique.
            await Writer(store).WriteAsync(Batch(Guid.NewGuid(), 0, 1, 300, qty: 2, ingestionNumber: 2), Guid.NewGuid(), default);

            Assert.Equal(300, await TestDatabases.ScalarAsync<long>(cs, "SELECT COUNT(*) FROM sales"));
            Assert.Equal(600, await TestDatabases.ScalarAsync<long>(cs, "SELECT SUM(transaction_qty) FROM sales"));
            Assert.Equal(1, await TestDatabases.ScalarAsync<long>(cs,
                "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'sales' AND index_name = 'PRIMARY' AND column_name = 'row_version'"));
        }
        finally
        {
            await TestDatabases.DropMySqlAsync(cs);
        }
    }

    [Fact]
    public async Task Sales_stored_before_versioning_keep_their_attributes_and_a_later_change_is_a_new_version()
    {
        var cs = TestDatabases.OltpDatabase("writer_scd");
        try
        {
            var store = ServiceStore.MySql(cs);
            await Migrations.ApplyAsync(store, OltpSchema.Migrations.Where(m => m.Version < 8).ToList(), NullLogger.Instance, default);
            await StoreAsTheOldWriterDidAsync(cs, 300, "Our Old Time Diner Blend Sm");

            await Migrations.ApplyAsync(store, OltpSchema.Migrations, NullLogger.Instance, default);
            // The migrated version is keyed by the natural id and valid from the first sale.
            Assert.Equal(1, await TestDatabases.ScalarAsync<long>(cs,
                "SELECT COUNT(*) FROM product_versions WHERE product_key = 22 AND product_id = 22 AND is_current AND valid_from = '2025-01-01 08:00:00'"));
            Assert.Equal(300, await TestDatabases.ScalarAsync<long>(cs, "SELECT COUNT(*) FROM sales_data WHERE product_detail = 'Our Old Time Diner Blend Sm'"));

            var renamed = Batch(Guid.NewGuid(), 0, 1001, 100, ingestionNumber: 2, date: new DateOnly(2025, 2, 1), detail: "Our Old Time Diner Blend Small");
            await Writer(store).WriteAsync(renamed, Guid.NewGuid(), default);

            Assert.Equal(300, await TestDatabases.ScalarAsync<long>(cs, "SELECT COUNT(*) FROM sales_data WHERE product_detail = 'Our Old Time Diner Blend Sm'"));
            Assert.Equal(100, await TestDatabases.ScalarAsync<long>(cs, "SELECT COUNT(*) FROM sales_data WHERE product_detail = 'Our Old Time Diner Blend Small'"));
            Assert.Equal(400, await TestDatabases.ScalarAsync<long>(cs, "SELECT COUNT(*) FROM sales_data_current WHERE product_detail = 'Our Old Time Diner Blend Small'"));
            Assert.Equal(1, await TestDatabases.ScalarAsync<long>(cs,
                "SELECT COUNT(*) FROM product_versions WHERE product_key = 22 AND NOT is_current AND valid_to = '2025-02-01 08:00:00'"));
            Assert.Equal(1, await TestDatabases.ScalarAsync<long>(cs,
                "SELECT COUNT(*) FROM attribute_change WHERE dimension = 'product' AND natural_key = 22 AND from_key = 22"));
        }
        finally
        {
            await TestDatabases.DropMySqlAsync(cs);
        }
    }

    /// <summary>Sales of product 22 at store 3 on 2025-01-01 08:00, as the writer stored them before versioning.</summary>
    private static async Task StoreAsTheOldWriterDidAsync(string cs, int count, string detail)
    {
        await using var c = new MySqlConnector.MySqlConnection(cs);
        await c.OpenAsync();
        await using var cmd = new MySqlConnector.MySqlCommand(
            "INSERT INTO stores VALUES (3, 'West Campus', NOW(6)); INSERT INTO products VALUES (22, 'Coffee', 'Drip coffee', @detail, 30.00, NOW(6));" +
            "INSERT INTO sales (transaction_id, transaction_date, transaction_time, transaction_qty, store_id, product_id, unit_price, total_amount, row_version) " +
            "SELECT CONCAT(seq, '_20250101'), '2025-01-01', '08:00:00', 1, 3, 22, 30.00, 30.00, (1 << 32) + 100 + seq FROM seq_1_to_" + count, c);
        cmd.Parameters.AddWithValue("@detail", detail);
        await cmd.ExecuteNonQueryAsync();
    }
}
