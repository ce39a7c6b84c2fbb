using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Inbox;
using CoffeeMesh.Messaging.Outbox;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.OlapSync;
using CoffeeMesh.OltpWriter;
using CoffeeMesh.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;

namespace CoffeeMesh.Tests.OlapSync;

/// <summary>olap-sync's sync path: real MariaDB (written by the real oltp-writer) to a real PostgreSQL star schema.</summary>
public sealed class SalesBatchSyncTests : IAsyncLifetime
{
    // A database per test: dropping one WITH (FORCE) ends the pooled connections to it, which the
    // next test would otherwise pick up.
    private static int _instances;
    private readonly string _oltp;
    private readonly string _olap;

    public SalesBatchSyncTests()
    {
        var name = $"sync{Interlocked.Increment(ref _instances)}";
        _oltp = TestDatabases.OltpDatabase(name);
        _olap = TestDatabases.PostgresDatabase(name);
    }
    private ServiceStore _mysql = null!;
    private ServiceStore _pg = null!;

    public async ValueTask InitializeAsync()
    {
        _mysql = ServiceStore.MySql(_oltp);
        _pg = ServiceStore.PostgreSql(_olap);
        await Migrations.ApplyAsync(_mysql, OltpSchema.Migrations, NullLogger.Instance, default);
        await Migrations.ApplyAsync(_pg, OlapSchema.Migrations, NullLogger.Instance, default);
    }

    public async ValueTask DisposeAsync()
    {
        await TestDatabases.DropMySqlAsync(_oltp);
        await TestDatabases.DropPostgresAsync(_olap);
    }

    /// <summary>olap-sync into this test's PostgreSQL, reading this test's MySQL or another copy.</summary>
    private SalesBatchSync Sync(string? oltp = null) =>
        new(_pg, new OltpSource(ServiceStore.MySql(oltp ?? _oltp)), new Inbox(_pg), new Outbox(new OutboxSignal()));

    /// <summary>Stores a batch through oltp-writer (into this test's MySQL unless told) and returns the event it
    /// published, as olap-sync consumes it.</summary>
    private async Task<SalesBatchStored> StoreAsync(long ingestionNumber, int sequence, IEnumerable<SalesRow> rows, string? into = null)
    {
        var mysql = ServiceStore.MySql(into ?? _oltp);
        var list = rows.ToList();
        var runs = AttributeRuns.Of(list, ingestionNumber);
        var batch = new CleanSalesBatch
        {
            IngestionId = IngestionOf(ingestionNumber), IngestionNumber = ingestionNumber, Sequence = sequence,
            FirstLine = list.Min(r => r.SourceLine), LastLine = list.Max(r => r.SourceLine), RowsRead = list.Count,
            Sales = SalesTsv.Render(list, ingestionNumber, runs), SalesCount = list.Count,
            Stores = runs.Stores, Products = runs.Products,
            Quarantined = [],
        };
        var writer = new SalesBatchWriter(mysql, new Inbox(mysql), new Outbox(new OutboxSignal()));
        Assert.True(await writer.WriteAsync(batch, Guid.NewGuid(), default));
        var body = await TestDatabases.ScalarAsync<string>(into ?? _oltp,
            "SELECT body FROM outbox_message WHERE message_id = @id ORDER BY sequence_number DESC LIMIT 1",
            ("@id", MessageIds.For("stored", batch.IngestionId, sequence).ToString()));
        return Outbox.ReadBody<SalesBatchStored>(body);
    }

    private static Guid IngestionOf(long number) => new($"00000000-0000-0000-0000-{number:D12}");

    private static IEnumerable<SalesRow> Rows(int from, int count, int qty = 1, long firstLine = 2, DateOnly? date = null, decimal price = 30.00m,
        string detail = "Our Old Time Diner Blend Sm") =>
        Enumerable.Range(0, count).Select(i => new SalesRow($"{from + i}_20250106", date ?? new DateOnly(2025, 1, 6), new TimeOnly(7, 6, 11).Add(TimeSpan.FromSeconds(i % 60)),
            qty, 5, "Main Campus", 22, price, "Coffee", "Drip coffee", detail, qty * price, firstLine + i));

    private Task<long> Count(string sql) => TestDatabases.PostgresScalarAsync<long>(_olap, sql);

    /// <summary>The dashboard's aggregate holds exactly the sums over the facts: no cell missing, extra or different.</summary>
    private async Task AssertAggregateMatchesFactsAsync()
    {
        const string facts = "SELECT date_id, time_id / 10000, store_key, product_key, COUNT(*), SUM(transaction_qty), SUM(total_amount) FROM fact_sales GROUP BY 1, 2, 3, 4";
        const string aggregate = "SELECT date_id, hour, store_key, product_key, transactions, quantity, revenue FROM sales_hourly";
        Assert.Equal(0, await Count($"SELECT COUNT(*) FROM (({facts} EXCEPT {aggregate}) UNION ALL ({aggregate} EXCEPT {facts})) d"));
        Assert.True(await Count("SELECT COUNT(*) FROM sales_hourly") > 0);
    }

    [Fact]
    public async Task Sync_fills_every_dimension_and_one_fact_per_stored_row()
    {
        var stored = await StoreAsync(1, 0, Rows(1, 3000, qty: 2));

        Assert.True(await Sync().SyncAsync(stored, Guid.NewGuid(), default));

        Assert.Equal(3000, await Count("SELECT COUNT(*) FROM fact_sales"));
        Assert.Equal(60.00m * 3000, await TestDatabases.PostgresScalarAsync<decimal>(_olap, "SELECT SUM(total_amount) FROM fact_sales"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM dim_date WHERE date_id = 20250106 AND transaction_date = '2025-01-06' AND day = 6 AND month = 1 AND year = 2025 AND weekday = 'Monday'"));
        Assert.Equal(86_400, await Count("SELECT COUNT(*) FROM dim_time")); // every second of the day, from the migration
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM dim_time WHERE time_id = 70611 AND transaction_time = '07:06:11' AND hour = 7 AND minute = 6 AND second = 11"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM dim_store WHERE store_id = 5 AND store_location = 'Main Campus'"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM dim_product WHERE product_id = 22 AND product_type = 'Drip coffee' AND unit_price = 30.00"));
        // Every fact reaches every dimension.
        Assert.Equal(3000, await Count("SELECT COUNT(*) FROM fact_sales f JOIN dim_date d USING (date_id) JOIN dim_time t USING (time_id) " +
                                       "JOIN dim_store s USING (store_key) JOIN dim_product p USING (product_key)"));
        Assert.Equal(3000, await Count("SELECT rows_synced FROM sync_batch"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM outbox_message"));
    }

    [Fact]
    public async Task The_same_stored_batch_delivered_twice_is_synced_once()
    {
        var stored = await StoreAsync(1, 0, Rows(1, 500));
        var messageId = MessageIds.For("stored", stored.IngestionId, stored.Sequence);

        Assert.True(await Sync().SyncAsync(stored, messageId, default));
        Assert.False(await Sync().SyncAsync(stored, messageId, default));

        Assert.Equal(500, await Count("SELECT COUNT(*) FROM fact_sales"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM sync_batch"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM outbox_message"));
    }

    [Fact]
    public async Task A_batch_published_again_under_a_new_id_leaves_one_fact_per_sale()
    {
        var stored = await StoreAsync(1, 0, Rows(1, 500, qty: 2));

        Assert.True(await Sync().SyncAsync(stored, Guid.NewGuid(), default));
        // Its sales are new to MySQL, but no longer to PostgreSQL: the plain insert gives way to the upsert.
        Assert.True(await Sync().SyncAsync(stored, Guid.NewGuid(), default));

        Assert.Equal(500, await Count("SELECT COUNT(*) FROM fact_sales"));
        Assert.Equal(1000, await Count("SELECT SUM(transaction_qty) FROM fact_sales"));
        Assert.Equal(500, await Count("SELECT rows_synced FROM sync_batch"));
    }

    [Fact]
    public async Task A_later_ingestion_replaces_facts_and_an_older_batch_synced_late_does_not_undo_it()
    {
        var first = await StoreAsync(1, 0, Rows(1, 100, qty: 1));
        await Sync().SyncAsync(first, Guid.NewGuid(), default);
        var again = await StoreAsync(2, 0, Rows(1, 100, qty: 3));
        Assert.True(first.NewTransactionsOnly);
        Assert.False(again.NewTransactionsOnly); // it replaced stored sales: olap-sync must upsert

        await Sync().SyncAsync(again, Guid.NewGuid(), default);
        // The first ingestion's event redelivered under a new id (a republish): its rows in MySQL
        // now belong to ingestion 2, so it finds none and changes nothing.
        await Sync().SyncAsync(first, Guid.NewGuid(), default);

        Assert.Equal(100, await Count("SELECT COUNT(*) FROM fact_sales"));
        Assert.Equal(300, await Count("SELECT SUM(transaction_qty) FROM fact_sales"));
        Assert.Equal(0, await Count("SELECT rows_synced FROM sync_batch WHERE ingestion_number = 1"));        await AssertAggregateMatchesFactsAsync();
    }

    [Fact]
    public async Task An_older_fact_never_replaces_a_newer_one_in_postgresql()
    {
        // A stale read: the older version of the same sales comes from a copy of MySQL taken
        // before the newer ingestion, and reaches PostgreSQL after the newer one.
        var newer = await StoreAsync(2, 0, Rows(1, 10, qty: 5));
        await Sync().SyncAsync(newer, Guid.NewGuid(), default);
        var staleCopy = TestDatabases.OltpDatabase("sync_stale");
        try
        {
            await Migrations.ApplyAsync(ServiceStore.MySql(staleCopy), OltpSchema.Migrations, NullLogger.Instance, default);
            var older = await StoreAsync(1, 0, Rows(1, 10, qty: 9), into: staleCopy);
            Assert.True(older.NewTransactionsOnly); // new to that copy of MySQL, not to PostgreSQL: the plain insert must give way

            await Sync(staleCopy).SyncAsync(older, Guid.NewGuid(), default);

            Assert.Equal(10, await Count("SELECT COUNT(*) FROM fact_sales"));
            Assert.Equal(50, await Count("SELECT SUM(transaction_qty) FROM fact_sales"));
            await AssertAggregateMatchesFactsAsync();
        }
        finally
        {
            await TestDatabases.DropMySqlAsync(staleCopy);
        }
    }

    [Fact]
    public async Task A_changed_product_starts_a_new_version_and_earlier_facts_keep_theirs()
    {
        await Sync().SyncAsync(await StoreAsync(1, 0, Rows(1, 10)), Guid.NewGuid(), default);
        await Sync().SyncAsync(await StoreAsync(2, 0, Rows(11, 10, price: 33.00m, date: new DateOnly(2025, 1, 7), detail: "Our Old Time Diner Blend Md")),
            Guid.NewGuid(), default);

        Assert.Equal(2, await Count("SELECT COUNT(*) FROM dim_product WHERE product_id = 22"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM dim_product WHERE product_id = 22 AND is_current AND unit_price = 33.00 " +
                                    "AND product_detail = 'Our Old Time Diner Blend Md' AND valid_from = '2025-01-07 07:06:11' AND valid_to IS NULL"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM dim_product WHERE product_id = 22 AND NOT is_current AND unit_price = 30.00 " +
                                    "AND valid_from = '2025-01-06 07:06:11' AND valid_to = '2025-01-07 07:06:11'"));
        // Each fact reports the attributes it was sold with; the _current view groups all of them under today's.
        Assert.Equal(10, await Count("SELECT COUNT(*) FROM fact_sales f JOIN dim_product p USING (product_key) WHERE p.product_detail = 'Our Old Time Diner Blend Sm'"));
        Assert.Equal(20, await Count("SELECT transactions FROM sales_by_product_current WHERE product_id = 22"));
        Assert.Equal(2, await Count("SELECT COUNT(*) FROM sales_by_product WHERE product_id = 22"));
    }

    [Fact]
    public async Task Concurrent_batches_adding_the_same_new_keys_all_commit()
    {
        var stored = new List<SalesBatchStored>();
        for (var s = 0; s < 8; s++) stored.Add(await StoreAsync(1, s, Rows(s * 1000 + 1, 1000, firstLine: s * 1000 + 2)));

        await Task.WhenAll(stored.Select(b => Task.Run(async () =>
        {
            for (var attempt = 0; ; attempt++)
            {
                try { await Sync().SyncAsync(b, Guid.NewGuid(), default); return; }
                catch (Npgsql.NpgsqlException e) when (TransientRetry.IsTransient(e) && attempt < 10) { await Task.Delay(50); }
            }
        })));

        Assert.Equal(8000, await Count("SELECT COUNT(*) FROM fact_sales"));
        Assert.Equal(1, await Count("SELECT COUNT(*) FROM dim_date"));
        Assert.Equal(8, await Count("SELECT COUNT(*) FROM sync_batch"));
        await AssertAggregateMatchesFactsAsync();
    }

    [Fact]
    public async Task Concurrent_batches_replacing_sales_of_one_date_leave_the_aggregate_equal_to_the_facts()
    {
        for (var s = 0; s < 4; s++) await Sync().SyncAsync(await StoreAsync(1, s, Rows(s * 500 + 1, 500, qty: 1, firstLine: s * 500 + 2)), Guid.NewGuid(), default);
        // Ingestion 2 replaces every sale with another quantity and price; its batches sync at once.
        var replacing = new List<SalesBatchStored>();
        for (var s = 0; s < 4; s++) replacing.Add(await StoreAsync(2, s, Rows(s * 500 + 1, 500, qty: 3, price: 31.50m, firstLine: s * 500 + 2)));
        Assert.All(replacing, b => Assert.False(b.NewTransactionsOnly));

        await Task.WhenAll(replacing.Select(b => Task.Run(async () =>
        {
            for (var attempt = 0; ; attempt++)
            {
                try { await Sync().SyncAsync(b, Guid.NewGuid(), default); return; }
                catch (Npgsql.NpgsqlException e) when (TransientRetry.IsTransient(e) && attempt < 10) { await Task.Delay(50); }
            }
        })));

        Assert.Equal(2000, await Count("SELECT SUM(transactions) FROM sales_hourly"));
        Assert.Equal(6000, await Count("SELECT SUM(quantity) FROM sales_hourly"));
        Assert.Equal(189_000, await Count("SELECT SUM(revenue) FROM sales_hourly"));
        await AssertAggregateMatchesFactsAsync();
    }

    [Fact]
    public async Task Facts_synced_before_versioning_keep_their_attributes_and_get_their_first_versions()
    {
        var olap = TestDatabases.PostgresDatabase($"sync_scd{Interlocked.Increment(ref _instances)}");
        try
        {
            var pg = ServiceStore.PostgreSql(olap);
            await Migrations.ApplyAsync(pg, OlapSchema.Migrations.Where(m => m.Version < 5).ToList(), NullLogger.Instance, default);
            // As the sync wrote them before: dimensions keyed by their natural ids.
            await TestDatabases.PostgresScalarAsync<int>(olap,
                "INSERT INTO dim_date VALUES (20250106, '2025-01-06', 6, 1, 2025, 'Monday');" +
                "INSERT INTO dim_store VALUES (5, 'Main Campus', '2025-01-06 09:00');" +
                "INSERT INTO dim_product VALUES (22, 'Coffee', 'Drip coffee', 'Our Old Time Diner Blend Sm', 30.00, '2025-01-06 09:00');" +
                "INSERT INTO fact_sales SELECT g || '_20250106', 20250106, 70611 + g, 5, 22, 1, 30.00, (1::bigint << 32) + g FROM generate_series(1, 40) g;" +
                "SELECT 1");

            await Migrations.ApplyAsync(pg, OlapSchema.Migrations, NullLogger.Instance, default);

            Assert.Equal(40, await TestDatabases.PostgresScalarAsync<long>(olap, "SELECT COUNT(*) FROM fact_sales WHERE store_key = 5 AND product_key = 22"));
            Assert.Equal(1, await TestDatabases.PostgresScalarAsync<long>(olap,
                "SELECT COUNT(*) FROM dim_product WHERE product_key = 22 AND is_current AND valid_from = '2025-01-06 07:06:12' AND valid_to IS NULL"));
            Assert.Equal(40, await TestDatabases.PostgresScalarAsync<long>(olap, "SELECT transactions FROM sales_by_product WHERE product_id = 22"));
            Assert.Equal(40, await TestDatabases.PostgresScalarAsync<long>(olap, "SELECT transactions FROM sales_by_store_current WHERE store_id = 5"));
        }
        finally
        {
            await TestDatabases.DropPostgresAsync(olap);
        }
    }

    [Fact]
    public async Task Migrations_are_safe_to_rerun()
    {
        await Migrations.ApplyAsync(_pg, OlapSchema.Migrations, NullLogger.Instance, default);
        Assert.Equal(MessagingSchema.WithLaterSteps(OlapSchema.Migrations, StoreDialect.PostgreSql).Count, await Count("SELECT COUNT(*) FROM schema_version"));
    }
}
