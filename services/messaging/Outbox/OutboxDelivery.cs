using System.Data;
using System.Text.Json;
using CoffeeMesh.Messaging.Storage;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Messaging.Outbox;

/// <summary>
/// Publishes committed outbox rows through MassTransit and marks them delivered. Rows are claimed
/// with FOR UPDATE SKIP LOCKED, so any number of replicas can run this loop over one table without
/// publishing a row twice while it is held; a crash between publish and commit re-publishes the
/// row with the same message id, which consumers' inboxes drop.
/// </summary>
public sealed class OutboxDelivery(
    ServiceStore store,
    OutboxSignal signal,
    IBus bus,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDelivery> logger) : BackgroundService
{
    private readonly OutboxOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int delivered;
                do delivered = await DeliverBatchAsync(stoppingToken);
                while (delivered == _options.BatchSize && !stoppingToken.IsCancellationRequested);
                failures = 0;
                await signal.WaitAsync(_options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database or the broker is away: nothing is lost (rows stay in the table); back off.
                failures++;
                var delay = Backoff(failures, _options.MaxBackoff);
                logger.LogWarning(e, "Outbox delivery failed ({Failures} in a row); retrying in {Delay}", failures, delay);
                try { await Task.Delay(delay, stoppingToken); } catch (OperationCanceledException) { return; }
            }
        }
    }

    internal async Task<int> DeliverBatchAsync(CancellationToken ct)
    {
        await using var connection = await store.OpenAsync(ct);
        // READ COMMITTED: under REPEATABLE READ, MariaDB 10.11's SKIP LOCKED handed a second
        // replica rows another one held (duplicates and deadlocks in our two-loop test).
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var now = DateTime.UtcNow;
        var pending = new List<(long Seq, Guid Id, string Type, string Body, int Attempts)>();
        // On MariaDB, SKIP LOCKED through the secondary index skips every row once another replica
        // has locked some (no parallelism); walking the primary key locks the rows themselves.
        var index = store.Dialect == StoreDialect.MySql ? "FORCE INDEX (PRIMARY)" : "";
        await using (var reader = await connection.Command(
                         $"""
                          SELECT sequence_number, message_id, message_type, body, attempts FROM outbox_message {index}
                          WHERE delivered_at IS NULL AND not_before <= @now
                          ORDER BY sequence_number LIMIT {_options.BatchSize} FOR UPDATE SKIP LOCKED
                          """, tx)
                         .With("@now", now).ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                pending.Add((reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4)));
        }
        if (pending.Count == 0)
        {
            await tx.CommitAsync(ct);
            return 0;
        }
        using var activity = MessagingDiagnostics.ActivitySource.StartActivity("outbox deliver");
        activity?.SetTag("coffeemesh.messages", pending.Count);

        var results = await Task.WhenAll(pending.Select(async row =>
        {
            try
            {
                var type = Type.GetType(row.Type, throwOnError: true)!;
                var message = JsonSerializer.Deserialize(row.Body, type, Outbox.Json)!;
                await bus.Publish(message, type, ctx => ctx.MessageId = row.Id, ct);
                return (row, Error: (string?)null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return (row, Error: e.Message);
            }
        }));

        var delivered = results.Where(r => r.Error is null).Select(r => r.row.Seq).ToList();
        if (delivered.Count > 0)
        {
            var command = connection.Command("", tx).With("@now", DateTime.UtcNow);
            command.CommandText = $"UPDATE outbox_message SET delivered_at = @now WHERE sequence_number IN ({command.WithEach("s", delivered)})";
            await command.ExecuteNonQueryAsync(ct);
        }
        foreach (var (row, error) in results.Where(r => r.Error is not null))
        {
            var delay = Backoff(row.Attempts + 1, _options.MaxBackoff);
            logger.LogWarning("Outbox message {MessageId} ({Type}) not published: {Error}; retry in {Delay}", row.Id, row.Type, error, delay);
            await connection.Command(
                    "UPDATE outbox_message SET attempts = attempts + 1, not_before = @nb, last_error = @err WHERE sequence_number = @s", tx)
                .With("@nb", DateTime.UtcNow + delay).With("@err", error).With("@s", row.Seq)
                .ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        OutboxMetrics.Delivered(delivered.Count, pending.Count - delivered.Count);
        return pending.Count;
    }

    internal static TimeSpan Backoff(int attempt, TimeSpan max)
    {
        var ms = Math.Min(max.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(attempt, 20)));
        return TimeSpan.FromMilliseconds(ms * (0.8 + Random.Shared.NextDouble() * 0.4));
    }
}
