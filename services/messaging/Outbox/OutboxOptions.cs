namespace CoffeeMesh.Messaging.Outbox;

/// <summary>Bound from configuration section <c>Outbox</c>.</summary>
public sealed class OutboxOptions
{
    /// <summary>Fallback poll when no local commit wakes the loop (rows written by other replicas, retries).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public int BatchSize { get; set; } = 100;
    /// <summary>Cap between attempts while the database or broker is away: it is also how long delivery can lag once they are back.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Delivered outbox rows are kept this long (for inspection), then removed.</summary>
    public TimeSpan DeliveredRetention { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Duplicate-detection window: inbox rows older than this are removed.</summary>
    public TimeSpan InboxRetention { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan HousekeepingInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>The longest one publish may take before it is given up and retried with backoff.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>
    /// How long claimed rows are a deliverer's own: one that crashed or hung loses them after this,
    /// and they are published again (same message ids). Longer than <see cref="PublishTimeout"/>; it is
    /// also how long a crashed deliverer's claimed messages wait.
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>/health reports Degraded once the oldest undelivered message is older than this.</summary>
    public TimeSpan DegradedAfter { get; set; } = TimeSpan.FromSeconds(60);
}
