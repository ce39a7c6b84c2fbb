using System.Text.Json;

namespace CoffeeMesh.GcsEmulator.Notifications;

/// <summary>
/// One finalize event for one subscriber, kept in <c>events/pending/{Id}.json</c> until a 2xx, then deleted;
/// moved to <c>events/dead-letter/</c> when retries run out.
/// </summary>
public sealed record PendingDelivery
{
    public required string Id { get; init; }
    public required string Subscriber { get; init; }
    public required string Url { get; init; }
    /// <summary>The CloudEvent id: bucket/name/generation, the same on every attempt so a subscriber can dedupe.</summary>
    public required string EventId { get; init; }
    public required string Bucket { get; init; }
    public required string ObjectName { get; init; }
    public required DateTimeOffset Time { get; init; }
    /// <summary>The object resource at finalize time (int64 fields as strings).</summary>
    public required JsonElement Data { get; init; }
    public required DateTimeOffset Created { get; init; }
    /// <summary>
    /// The W3C trace context (<c>traceparent</c>, <c>tracestate</c>) of the request that wrote the object, sent with
    /// every attempt so the subscriber's work joins the uploader's trace. Real GCS does not do this; see docs/gcs-emulator.md.
    /// </summary>
    public string? TraceParent { get; init; }
    public string? TraceState { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset NextAttempt { get; init; }
    public string? LastError { get; init; }
}
