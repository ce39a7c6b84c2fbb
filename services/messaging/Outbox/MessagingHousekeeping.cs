using CoffeeMesh.Messaging.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Messaging.Outbox;

/// <summary>Removes delivered outbox rows and inbox rows older than their retention windows.</summary>
public sealed class MessagingHousekeeping(ServiceStore store, IOptions<OutboxOptions> options, ILogger<MessagingHousekeeping> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var timer = new PeriodicTimer(o.HousekeepingInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var connection = await store.OpenAsync(stoppingToken);
                var now = DateTime.UtcNow;
                var (outboxSql, inboxSql) = store.Dialect == StoreDialect.MySql
                    ? ("DELETE FROM outbox_message WHERE delivered_at < @cutoff LIMIT 10000",
                       "DELETE FROM inbox_state WHERE received_at < @cutoff LIMIT 10000")
                    : ("DELETE FROM outbox_message WHERE sequence_number IN (SELECT sequence_number FROM outbox_message WHERE delivered_at < @cutoff LIMIT 10000)",
                       "DELETE FROM inbox_state WHERE ctid IN (SELECT ctid FROM inbox_state WHERE received_at < @cutoff LIMIT 10000)");
                var outbox = await connection.Command(outboxSql).With("@cutoff", now - o.DeliveredRetention).ExecuteNonQueryAsync(stoppingToken);
                var inbox = await connection.Command(inboxSql).With("@cutoff", now - o.InboxRetention).ExecuteNonQueryAsync(stoppingToken);
                if (outbox + inbox > 0)
                    logger.LogInformation("Housekeeping removed {Outbox} delivered outbox rows and {Inbox} inbox rows", outbox, inbox);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Messaging housekeeping failed; will retry");
            }
        }
    }
}
