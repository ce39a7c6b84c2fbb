using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Outbox;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.Tests.EndToEnd;
using CoffeeMesh.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CoffeeMesh.Tests.Messaging;

/// <summary>
/// The outbox never holds a transaction across the network: a publish the broker does not take
/// (RabbitMQ's memory alarm blocks every publisher, as a broker under pressure does) gives its rows
/// back with a backoff, holds no lock, turns /health Degraded, and the rows go out once the broker
/// takes messages again. Runs alone: the alarm blocks every publisher on the broker.
/// </summary>
[Collection(nameof(Disruptive))]
public sealed class OutboxDeliveryTests
{
    public static TheoryData<StoreDialect> Dialects => [StoreDialect.MySql, StoreDialect.PostgreSql];

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task A_publish_the_broker_never_takes_holds_no_transaction_and_is_delivered_once_it_does(StoreDialect dialect)
    {
        var cs = dialect == StoreDialect.MySql ? TestDatabases.OltpDatabase("hung_my") : TestDatabases.PostgresDatabase("hung_pg");
        var prefix = TestEnvironment.RunId + "-hung" + dialect;
        const int messages = 5;
        try
        {
            await using var host = await MessagingHost.StartAsync(cs, dialect, prefix, settings: new Dictionary<string, string>
            {
                ["Outbox:PublishTimeout"] = "00:00:02", ["Outbox:ClaimLease"] = "00:00:06", ["Outbox:MaxBackoff"] = "00:00:01",
                ["Outbox:DegradedAfter"] = "00:00:03",
            });
            var store = host.Services.GetRequiredService<ServiceStore>();
            await BrokerAlarmAsync("on");
            try
            {
                var outbox = host.Services.GetRequiredService<Outbox>();
                await using (var c = await store.OpenAsync(default))
                await using (var tx = await c.BeginTransactionAsync())
                {
                    for (var i = 0; i < messages; i++)
                        await outbox.AddAsync(c, tx, new SalesBatchStored { IngestionId = Guid.NewGuid(), Sequence = i, IngestionNumber = 1, FirstLine = 2, LastLine = 2, RowsRead = 1, RowsStored = 1, Quarantined = 0 },
                            Guid.NewGuid(), default);
                    await tx.CommitAsync();
                }
                outbox.Committed();
                await Task.Delay(TimeSpan.FromSeconds(5));

                // Nobody holds the rows: another deliverer (or anything else) could take them now.
                await using (var c = await store.OpenAsync(default))
                await using (var tx = await c.BeginTransactionAsync())
                {
                    await c.Command("SELECT sequence_number FROM outbox_message WHERE delivered_at IS NULL FOR UPDATE NOWAIT", tx).ExecuteNonQueryAsync();
                    await tx.RollbackAsync();
                }
                Assert.Empty(host.Messages);
                Assert.True(await ScalarAsync(store, "SELECT COUNT(*) FROM outbox_message WHERE attempts > 0 AND last_error IS NOT NULL") == messages,
                    "every row's publish was given up and recorded");
                var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
                Assert.Equal(HealthStatus.Degraded, health.Entries["outbox"].Status);
            }
            finally
            {
                await BrokerAlarmAsync("off");
            }

            await host.WaitForAsync(messages, TimeSpan.FromSeconds(60));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await ScalarAsync(store, "SELECT COUNT(*) FROM outbox_message WHERE delivered_at IS NULL") > 0 && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            Assert.Equal(0, await ScalarAsync(store, "SELECT COUNT(*) FROM outbox_message WHERE delivered_at IS NULL"));
            Assert.Equal(messages, host.Messages.Select(m => m.MessageId).Distinct().Count());
        }
        finally
        {
            await BrokerAlarmAsync("off");
            if (dialect == StoreDialect.MySql) await TestDatabases.DropMySqlAsync(cs); else await TestDatabases.DropPostgresAsync(cs);
            await RabbitCleanup.DeletePrefixedAsync(prefix);
        }
    }

    private static async Task<long> ScalarAsync(ServiceStore store, string sql)
    {
        await using var c = await store.OpenAsync(default);
        return Convert.ToInt64(await c.Command(sql).ExecuteScalarAsync());
    }

    private static async Task BrokerAlarmAsync(string onOrOff)
    {
        var alarm = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(
            Path.Combine(TestEnvironment.RepoRoot, "scripts", "infra.sh"), $"broker-alarm {onOrOff}") { RedirectStandardError = true })!;
        await alarm.WaitForExitAsync();
        Assert.True(alarm.ExitCode == 0, await alarm.StandardError.ReadToEndAsync());
    }
}
