using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CoffeeMesh.Messaging.Telemetry;

/// <summary>
/// The pipeline's instruments on the CoffeeMesh meter (<see cref="MessagingDiagnostics.Meter"/>):
/// <list type="bullet">
/// <item><c>coffeemesh.stage.rows_in</c>, <c>.rows_out</c>, <c>.rows_quarantined</c>: rows a stage took in,
/// passed on (or stored), and set aside, per batch; tag <c>stage</c>.</item>
/// <item><c>coffeemesh.stage.batch_duration</c> (s): one batch's work in a stage (ingest: publishing it;
/// transform: cleaning it; oltp-writer and olap-sync: storing it); tag <c>stage</c>.</item>
/// <item><c>coffeemesh.consumer.lag</c> (s): from a message's SentTime to the start of its consumption
/// (its wait on the broker); tag <c>message_type</c>.</item>
/// <item><c>coffeemesh.ingestion.landing_to_star_schema</c> (s): from the ingestion's creation to a
/// batch of it committed in the star schema (olap-sync, per batch).</item>
/// </list>
/// Outbox backlog and age are <c>coffeemesh.outbox.pending</c> and <c>.oldest_age</c> (OutboxMetrics).
/// </summary>
public static class PipelineMetrics
{
    // Seconds, from a few milliseconds (a small batch) to ten minutes (a file behind a long backlog):
    // the SDK's default buckets are made for milliseconds.
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    };

    private static readonly Counter<long> RowsIn = MessagingDiagnostics.Meter.CreateCounter<long>(
        "coffeemesh.stage.rows_in", "{row}", "Rows a stage received in its batches");
    private static readonly Counter<long> RowsOut = MessagingDiagnostics.Meter.CreateCounter<long>(
        "coffeemesh.stage.rows_out", "{row}", "Rows a stage passed on or stored");
    private static readonly Counter<long> RowsQuarantined = MessagingDiagnostics.Meter.CreateCounter<long>(
        "coffeemesh.stage.rows_quarantined", "{row}", "Rows a stage set aside (quarantined or refused by its store)");
    private static readonly Histogram<double> BatchDuration = MessagingDiagnostics.Meter.CreateHistogram(
        "coffeemesh.stage.batch_duration", "s", "One batch's work in a stage", advice: Seconds);
    private static readonly Histogram<double> ConsumerLag = MessagingDiagnostics.Meter.CreateHistogram(
        "coffeemesh.consumer.lag", "s", "From a message's SentTime to the start of its consumption", advice: Seconds);
    private static readonly Histogram<double> LandingToStarSchema = MessagingDiagnostics.Meter.CreateHistogram(
        "coffeemesh.ingestion.landing_to_star_schema", "s", "From an ingestion's creation to a batch of it committed in the star schema", advice: Seconds);

    /// <summary>One batch done by a stage.</summary>
    /// <param name="stage">ingest, transform, oltp-writer or olap-sync.</param>
    /// <param name="startedAt">The batch's start, from <see cref="Stopwatch.GetTimestamp"/>.</param>
    public static void BatchDone(string stage, long rowsIn, long rowsOut, long quarantined, long startedAt)
    {
        var tag = new KeyValuePair<string, object?>("stage", stage);
        RowsIn.Add(rowsIn, tag);
        RowsOut.Add(rowsOut, tag);
        RowsQuarantined.Add(quarantined, tag);
        BatchDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tag);
    }

    /// <summary>A message's wait between its sending and its consumption (negative clock skew counts as 0).</summary>
    public static void Consumed(string messageType, DateTime sentAtUtc, DateTime nowUtc) =>
        ConsumerLag.Record(Math.Max(0, (nowUtc - sentAtUtc).TotalSeconds), new KeyValuePair<string, object?>("message_type", messageType));

    /// <summary>
    /// A batch of an ingestion is in the star schema: records the time since the ingestion was
    /// created, when the batch carried it (<see cref="CarriedHeaders.IngestionCreated"/>).
    /// </summary>
    public static void InStarSchema(DateTime nowUtc)
    {
        if (CarriedHeaders.IngestionCreatedAt is { } created)
            LandingToStarSchema.Record(Math.Max(0, (nowUtc - created).TotalSeconds));
    }
}
