using System.Diagnostics;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Inbox;
using CoffeeMesh.Messaging.Outbox;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.Messaging.Telemetry;
using CoffeeMesh.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CoffeeMesh.Tests.Messaging;

/// <summary>The shared outbox and inbox, on real MariaDB, PostgreSQL and RabbitMQ.</summary>
public sealed class OutboxInboxTests
{
    public static TheoryData<StoreDialect> Dialects => [StoreDialect.MySql, StoreDialect.PostgreSql];

    private static string Database(StoreDialect dialect, string name) =>
        dialect == StoreDialect.MySql ? TestDatabases.OltpDatabase(name) : TestDatabases.PostgresDatabase(name);

    private static Task Drop(StoreDialect dialect, string cs) =>
        dialect == StoreDialect.MySql ? TestDatabases.DropMySqlAsync(cs) : TestDatabases.DropPostgresAsync(cs);

    private static SalesBatchStored Event(int sequence) => new()
    {
        IngestionId = Guid.NewGuid(), Sequence = sequence, IngestionNumber = 1, FirstLine = 2, LastLine = 11, RowsRead = 10, RowsStored = 9, Quarantined = 1,
    };

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Inbox_accepts_a_message_once_per_consumer(StoreDialect dialect)
    {
        var cs = Database(dialect, $"inbox_{dialect}".ToLowerInvariant());
        await using var host = await MessagingHost.StartAsync(cs, dialect, TestEnvironment.RunId + "-inbox" + dialect, deliver: false, consume: false);
        try
        {
            var store = host.Services.GetRequiredService<ServiceStore>();
            var inbox = host.Services.GetRequiredService<Inbox>();
            var id = Guid.NewGuid();
            async Task<bool> Accept(string consumer)
            {
                await using var c = await store.OpenAsync(default);
                await using var tx = await c.BeginTransactionAsync();
                var accepted = await inbox.TryAcceptAsync(c, tx, consumer, id, default);
                await tx.CommitAsync();
                return accepted;
            }
            Assert.True(await Accept("writer"));
            Assert.False(await Accept("writer"));
            Assert.True(await Accept("another-consumer"));
        }
        finally { await Drop(dialect, cs); }
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task A_message_committed_before_a_crash_is_delivered_after_restart_and_a_rolled_back_one_never(StoreDialect dialect)
    {
        var cs = Database(dialect, $"crash_{dialect}".ToLowerInvariant());
        var prefix = TestEnvironment.RunId + "-crash" + dialect;
        try
        {
            var committed = Event(1);
            var rolledBack = Event(2);
            // "Before the crash": a writer commits an outbox row, but no delivery loop runs.
            await using (var before = await MessagingHost.StartAsync(cs, dialect, prefix, deliver: false, consume: false))
            {
                var store = before.Services.GetRequiredService<ServiceStore>();
                var outbox = before.Services.GetRequiredService<Outbox>();
                await using var c = await store.OpenAsync(default);
                await using (var tx = await c.BeginTransactionAsync())
                {
                    await outbox.AddAsync(c, tx, committed, MessageIds.For("test", committed.IngestionId, 1), default);
                    await tx.CommitAsync();
                }
                await using (var tx = await c.BeginTransactionAsync())
                {
                    await outbox.AddAsync(c, tx, rolledBack, MessageIds.For("test", rolledBack.IngestionId, 2), default);
                    await tx.RollbackAsync();
                }
            }

            // "After the restart": the delivery loop finds the committed row and publishes it.
            await using var after = await MessagingHost.StartAsync(cs, dialect, prefix, deliver: true, consume: true);
            await after.WaitForAsync(1, TimeSpan.FromSeconds(20));
            await Task.Delay(1000);
            var received = Assert.Single(after.Messages);
            Assert.Equal(committed.IngestionId, received.Message.IngestionId);
            Assert.Equal(MessageIds.For("test", committed.IngestionId, 1), received.MessageId);
        }
        finally
        {
            await Drop(dialect, cs);
            await RabbitCleanup.DeletePrefixedAsync(prefix);
        }
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task A_message_is_consumed_in_the_trace_it_was_written_in_and_carries_its_headers_on(StoreDialect dialect)
    {
        var cs = Database(dialect, $"trace_{dialect}".ToLowerInvariant());
        var prefix = TestEnvironment.RunId + "-trace" + dialect;
        using var source = new ActivitySource("CoffeeMesh.Tests.Outbox");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "MassTransit" or MessagingDiagnostics.ActivitySourceName || s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        try
        {
            await using var host = await MessagingHost.StartAsync(cs, dialect, prefix);
            var store = host.Services.GetRequiredService<ServiceStore>();
            var outbox = host.Services.GetRequiredService<Outbox>();
            var created = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc);
            ActivityTraceId written;
            using (var work = source.StartActivity("a request that stores a batch"))
            using (CarriedHeaders.BeginIngestion(created))
            {
                written = work!.TraceId;
                await using var c = await store.OpenAsync(default);
                await using var tx = await c.BeginTransactionAsync();
                await outbox.AddAsync(c, tx, Event(1), Guid.NewGuid(), default);
                await tx.CommitAsync();
            }
            // Written outside any trace: it starts a trace of its own.
            await using (var c = await store.OpenAsync(default))
            await using (var tx = await c.BeginTransactionAsync())
            {
                await outbox.AddAsync(c, tx, Event(2), Guid.NewGuid(), default);
                await tx.CommitAsync();
            }
            outbox.Committed();

            await host.WaitForAsync(2, TimeSpan.FromSeconds(20));
            var traced = Assert.Single(host.Messages, m => m.Message.Sequence == 1);
            Assert.Equal(written, traced.TraceId);
            Assert.Equal(created, DateTime.Parse(traced.IngestionCreated!, null, System.Globalization.DateTimeStyles.RoundtripKind));
            var untraced = Assert.Single(host.Messages, m => m.Message.Sequence == 2);
            Assert.NotNull(untraced.TraceId);
            Assert.NotEqual(written, untraced.TraceId);
            Assert.Null(untraced.IngestionCreated);
        }
        finally
        {
            await Drop(dialect, cs);
            await RabbitCleanup.DeletePrefixedAsync(prefix);
        }
    }

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task Two_delivery_loops_over_one_outbox_publish_every_message_exactly_once(StoreDialect dialect)
    {
        var cs = Database(dialect, $"two_{dialect}".ToLowerInvariant());
        var prefix = TestEnvironment.RunId + "-two" + dialect;
        const int messages = 400;
        try
        {
            await using var consumer = await MessagingHost.StartAsync(cs, dialect, prefix, deliver: false, consume: true);
            var store = consumer.Services.GetRequiredService<ServiceStore>();
            var outbox = consumer.Services.GetRequiredService<Outbox>();
            var events = Enumerable.Range(0, messages).Select(Event).ToList();
            await using (var c = await store.OpenAsync(default))
            await using (var tx = await c.BeginTransactionAsync())
            {
                foreach (var e in events) await outbox.AddAsync(c, tx, e, MessageIds.For("test", e.IngestionId, e.Sequence), default);
                await tx.CommitAsync();
            }

            await using var one = await MessagingHost.StartAsync(cs, dialect, prefix, deliver: true, consume: false);
            await using var two = await MessagingHost.StartAsync(cs, dialect, prefix, deliver: true, consume: false);
            await consumer.WaitForAsync(messages, TimeSpan.FromSeconds(60));
            await Task.Delay(1500);

            Assert.Equal(messages, consumer.Messages.Count);
            Assert.Equal(messages, consumer.Messages.Select(m => m.MessageId).Distinct().Count());
            Assert.Equal(0, await PendingAsync(store));
        }
        finally
        {
            await Drop(dialect, cs);
            await RabbitCleanup.DeletePrefixedAsync(prefix);
        }
    }

    private static async Task<long> PendingAsync(ServiceStore store)
    {
        await using var c = await store.OpenAsync(default);
        return Convert.ToInt64(await c.Command("SELECT COUNT(*) FROM outbox_message WHERE delivered_at IS NULL").ExecuteScalarAsync());
    }
}
