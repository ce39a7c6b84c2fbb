using System.Data;
using System.Diagnostics;
using System.Text.Json;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.Messaging.Telemetry;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Messaging.Outbox;

/// <summary>
/// Publishes committed outbox rows through MassTransit and marks them delivered, without ever
/// holding a database transaction across the network: rows are claimed in a short transaction
/// (FOR UPDATE SKIP LOCKED, then their <c>not_before</c> moved to the end of a lease,
/// <see cref="OutboxOptions.ClaimLease"/>), published with a time limit
/// (<see cref="OutboxOptions.PublishTimeout"/>), then marked delivered, or given a backoff. A
/// deliverer that crashes or hangs loses its claim when the lease ends and another replica (or
/// itself) publishes the rows again with the same message ids, which consumers' inboxes drop. Any
/// number of replicas can run this loop over one table.
/// </summary>
public sealed class OutboxDelivery(
    ServiceStore store,
    OutboxSignal signal,
    IBus bus,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDelivery> logger,
    OutboxBacklog? backlog = null) : BackgroundService
{
    private readonly OutboxOptions _options = options.Value;
    private DateTime _backlogReadAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int claimed;
                do claimed = await DeliverBatchAsync(stoppingToken);
                while (claimed == _options.BatchSize && !stoppingToken.IsCancellationRequested);
                failures = 0;
                // The backlog gauges, at most every 5 s: one indexed count of undelivered rows.
                if (backlog is not null && DateTime.UtcNow - _backlogReadAt > TimeSpan.FromSeconds(5))
                {
                    _backlogReadAt = DateTime.UtcNow;
                    await backlog.ReadAsync(stoppingToken);
                }
                await signal.WaitAsync(_options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database is away: nothing is lost (rows stay in the table); back off.
                failures++;
                var delay = Backoff(failures, _options.MaxBackoff);
                logger.LogWarning(e, "Outbox delivery failed ({Failures} in a row); retrying in {Delay}", failures, delay);
                try { await Task.Delay(delay, stoppingToken); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private sealed record Row(long Seq, Guid Id, string Type, string Body, int Attempts, DateTime CreatedAt, string? TraceParent, string? TraceState, string? Headers);

    /// <returns>How many rows this round claimed.</returns>
    internal async Task<int> DeliverBatchAsync(CancellationToken ct)
    {
        var claimed = await ClaimAsync(ct);
        if (claimed.Count == 0) return 0;
        var results = await Task.WhenAll(claimed.Select(async row => (row, Error: await PublishAsync(row, ct))));

        await using var connection = await store.OpenAsync(ct);
        var delivered = results.Where(r => r.Error is null).Select(r => r.row.Seq).ToList();
        if (delivered.Count > 0)
        {
            var command = connection.Command("").With("@now", DateTime.UtcNow);
            command.CommandText = $"UPDATE outbox_message SET delivered_at = @now WHERE sequence_number IN ({command.WithEach("s", delivered)})";
            await command.ExecuteNonQueryAsync(ct);
        }
        foreach (var (row, error) in results.Where(r => r.Error is not null))
        {
            var delay = Backoff(row.Attempts + 1, _options.MaxBackoff);
            logger.LogWarning("Outbox message {MessageId} ({Type}) not published: {Error}; retry in {Delay}", row.Id, row.Type, error, delay);
            await connection.Command(
                    "UPDATE outbox_message SET attempts = attempts + 1, not_before = @nb, last_error = @err WHERE sequence_number = @s AND delivered_at IS NULL")
                .With("@nb", DateTime.UtcNow + delay).With("@err", error).With("@s", row.Seq)
                .ExecuteNonQueryAsync(ct);
        }
        OutboxMetrics.Delivered(delivered.Count, claimed.Count - delivered.Count);
        return claimed.Count;
    }

    /// <summary>
    /// Takes the next due rows for this deliverer: locked only for as long as it takes to push their
    /// not_before past the lease, then committed.
    /// </summary>
    private async Task<List<Row>> ClaimAsync(CancellationToken ct)
    {
        await using var connection = await store.OpenAsync(ct);
        // READ COMMITTED: under REPEATABLE READ, MariaDB 10.11's SKIP LOCKED handed a second
        // replica rows another one held (duplicates and deadlocks in our two-loop test).
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var now = DateTime.UtcNow;
        var rows = new List<Row>();
        // On MariaDB, SKIP LOCKED through the secondary index skips every row once another replica
        // has locked some (no parallelism); walking the primary key locks the rows themselves.
        var index = store.Dialect == StoreDialect.MySql ? "FORCE INDEX (PRIMARY)" : "";
        await using (var reader = await connection.Command(
                         $"""
                          SELECT sequence_number, message_id, message_type, body, attempts, created_at, trace_parent, trace_state, headers
                          FROM outbox_message {index}
                          WHERE delivered_at IS NULL AND not_before <= @now
                          ORDER BY sequence_number LIMIT {_options.BatchSize} FOR UPDATE SKIP LOCKED
                          """, tx)
                         .With("@now", now).ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
                rows.Add(new Row(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                    DateTime.SpecifyKind(reader.GetDateTime(5), DateTimeKind.Utc), Text(6), Text(7), Text(8)));
            }
        }
        if (rows.Count > 0)
        {
            var command = connection.Command("", tx).With("@lease", now + _options.ClaimLease);
            command.CommandText = $"UPDATE outbox_message SET not_before = @lease WHERE sequence_number IN ({command.WithEach("s", rows.Select(r => r.Seq))})";
            await command.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return rows;
    }

    /// <returns>Null when the broker took the message; otherwise why not (a publish that outlasts its time limit is given up).</returns>
    private async Task<string?> PublishAsync(Row row, CancellationToken ct)
    {
        using var activity = StartDeliverActivity(row);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(_options.PublishTimeout);
        try
        {
            var type = Type.GetType(row.Type, throwOnError: true)!;
            var message = JsonSerializer.Deserialize(row.Body, type, Outbox.Json)!;
            var headers = row.Headers is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(row.Headers, Outbox.Json);
            // WaitAsync as well: a publish blocked by the broker must not hold this round whether or not it honours the token.
            await bus.Publish(message, type, ctx =>
            {
                ctx.MessageId = row.Id;
                CarriedHeaders.ApplyTo(ctx.Headers, headers);
                // Without a span of ours (nothing listens to CoffeeMesh), MassTransit takes the parent from its header.
                if (activity is null && row.TraceParent is { } traceParent) ctx.Headers.Set(MassTransit.Logging.DiagnosticHeaders.ActivityId, traceParent);
            }, limit.Token).WaitAsync(_options.PublishTimeout, ct);
            return null;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var error = e is TimeoutException or OperationCanceledException
                ? $"the broker did not take it within {_options.PublishTimeout.TotalSeconds:0.#} s"
                : e.Message;
            activity?.SetStatus(ActivityStatusCode.Error, error);
            return error;
        }
    }

    /// <summary>
    /// The span of one message's publishing, a child of the activity that wrote the message (its
    /// stored trace context), so that MassTransit's send span and the consumers' spans continue
    /// that trace; a message written outside any trace starts its own.
    /// </summary>
    /// <remarks>
    /// One trace per ingestion, not a root with a linked trace per batch: the Aspire dashboard
    /// bounds the number of traces it keeps (Dashboard:TelemetryLimits:MaxTraceCount, 10,000),
    /// not the spans of one trace, and renders a trace's spans virtualised, so one big trace
    /// stays usable while a trace per batch (1,000 for a 10M-row file) would push everything
    /// else out of the dashboard and scatter an ingestion again. Span counts: docs/observability.md.
    /// </remarks>
    private static Activity? StartDeliverActivity(Row row)
    {
        // Nothing of the delivery loop is a parent: each message belongs to the trace that wrote it.
        Activity.Current = null;
        ActivityContext.TryParse(row.TraceParent, row.TraceState, isRemote: true, out var parent);
        var activity = MessagingDiagnostics.ActivitySource.StartActivity("outbox deliver", ActivityKind.Internal, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.message.id", row.Id.ToString("D"));
            activity.SetTag("coffeemesh.message_type", row.Type[..Math.Max(0, row.Type.IndexOf(','))]);
            activity.SetTag("coffeemesh.outbox.waited_s", Math.Round(Math.Max(0, (DateTime.UtcNow - row.CreatedAt).TotalSeconds), 3));
            activity.SetTag("coffeemesh.outbox.attempt", row.Attempts + 1);
        }
        return activity;
    }

    internal static TimeSpan Backoff(int attempt, TimeSpan max)
    {
        var ms = Math.Min(max.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(attempt, 20)));
        return TimeSpan.FromMilliseconds(ms * (0.8 + Random.Shared.NextDouble() * 0.4));
    }
}
