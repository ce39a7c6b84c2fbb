using CoffeeMesh.Messaging.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Messaging.Outbox;

/// <summary>
/// How far the outbox is behind: undelivered messages and the age of the oldest (seconds). /health
/// is Degraded once that age passes <see cref="OutboxOptions.DegradedAfter"/> (the broker is away,
/// or delivery is stuck), and the figures are the gauges <c>coffeemesh.outbox.pending</c> and
/// <c>coffeemesh.outbox.oldest_age</c> on the CoffeeMesh meter.
/// </summary>
public sealed class OutboxBacklog(ServiceStore store, IOptions<OutboxOptions> options) : IHealthCheck
{
    public readonly record struct Reading(long Pending, double OldestAgeSeconds);

    /// <summary>Counts the undelivered rows (through the pending index: delivered rows are not read).</summary>
    public async Task<Reading> ReadAsync(CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        await using var r = await c.Command("SELECT COUNT(*), MIN(created_at) FROM outbox_message WHERE delivered_at IS NULL").ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var pending = Convert.ToInt64(r.GetValue(0));
        var oldest = r.IsDBNull(1) ? (DateTime?)null : DateTime.SpecifyKind(Convert.ToDateTime(r.GetValue(1)), DateTimeKind.Utc);
        var reading = new Reading(pending, oldest is { } o ? Math.Max(0, (DateTime.UtcNow - o).TotalSeconds) : 0);
        OutboxMetrics.Observe(reading.Pending, reading.OldestAgeSeconds);
        return reading;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        Reading reading;
        try { reading = await ReadAsync(ct); }
        catch (Exception e) { return HealthCheckResult.Unhealthy($"{store.Dialect} store unreachable: the outbox cannot be read", e); }
        var data = new Dictionary<string, object> { ["pending"] = reading.Pending, ["oldest_age_seconds"] = Math.Round(reading.OldestAgeSeconds, 1) };
        return reading.OldestAgeSeconds > options.Value.DegradedAfter.TotalSeconds
            ? HealthCheckResult.Degraded($"{reading.Pending} outbox messages undelivered, the oldest for {reading.OldestAgeSeconds:0} s", data: data)
            : HealthCheckResult.Healthy($"{reading.Pending} outbox messages undelivered", data);
    }
}
