using System.Diagnostics;
using System.Diagnostics.Metrics;
using CoffeeMesh.Messaging;

namespace CoffeeMesh.Ingest.Ingestions;

/// <summary>
/// Keeps a reading at most <c>Ingest:MaxBatchesAhead</c> batches ahead of what oltp-writer has
/// stored. Ingest reads about three times as fast as the writer stores, so unpaced, a big backfill
/// waits in RabbitMQ as hundreds of batches (the broker's memory grows with the file) and a new
/// file's batches queue behind all of them. Stored batches are counted, not the highest sequence:
/// a batch that went to the error queue costs the window one slot instead of stopping the reading.
/// The count comes from the ingestion ledger (the writer's SalesBatchStored events); a wait ends
/// early when <paramref name="sleep"/> is woken by a stored batch (LedgerSignal).
/// </summary>
/// <param name="batchesStored">The writer's stored batches of the ingestion; null while unknown (the ledger's database is unreachable).</param>
/// <param name="sleep">Waits at most the given time; Task.Delay when null.</param>
public sealed class ReadAhead(Guid ingestionId, int maxBatchesAhead, Func<CancellationToken, Task<int?>> batchesStored, ILogger logger,
    Func<TimeSpan, CancellationToken, Task>? sleep = null)
{
    /// <summary>First guess of the time the writer takes per batch, before two counts are seen.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MinPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Unanswered = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan WarnEvery = TimeSpan.FromSeconds(30);

    // On the dashboard: how long reading sat paused, per ingest process, and a span per pause.
    private static readonly Meter Meter = new(MessagingDiagnostics.MeterName);
    public const string WaitMetric = "coffeemesh.ingest.wait_for_writer";
    private static readonly Counter<double> WaitSeconds = Meter.CreateCounter<double>(WaitMetric, "s",
        "Time reading was paused because Ingest:MaxBatchesAhead batches were out and not yet stored");

    /// <summary>
    /// Once the window is full, reading resumes when a quarter of it is free again, and sleeps
    /// about as long as the writer takes to free that much: a poll every 100 ms while full cost
    /// ingest and the writer CPU for nothing.
    /// </summary>
    private readonly int _refill = Math.Max(1, maxBatchesAhead / 4);
    private int _stored;
    private long? _storedAt;
    private TimeSpan _perBatch = Poll;

    /// <summary>Time spent waiting, in all.</summary>
    public TimeSpan Waited { get; private set; }

    /// <summary>
    /// Returns once batch <paramref name="sequence"/> (0-based, so <paramref name="sequence"/>
    /// batches are out already) may be published. While the writer does not answer, it waits: a
    /// writer that is down stores nothing, and the batches already out are enough for it to resume with.
    /// </summary>
    public async Task WaitForRoomAsync(int sequence, CancellationToken ct)
    {
        if (maxBatchesAhead <= 0 || sequence - _stored < maxBatchesAhead) return;
        using var activity = MessagingDiagnostics.ActivitySource.StartActivity("ingest waits for oltp-writer");
        activity?.SetTag("coffeemesh.ingestion_id", ingestionId).SetTag("coffeemesh.sequence", sequence);
        var started = Stopwatch.GetTimestamp();
        var warned = started;
        while (true)
        {
            var stored = await batchesStored(ct);
            if (stored is int n) Observe(n);
            var toStore = sequence - _stored - (maxBatchesAhead - _refill);
            if (toStore <= 0) break;
            if (Stopwatch.GetElapsedTime(warned) >= WarnEvery)
            {
                warned = Stopwatch.GetTimestamp();
                logger.LogWarning("Ingestion {IngestionId} waits for oltp-writer: {Out} batches out, {Stored} stored{Unanswered}",
                    ingestionId, sequence, _stored, stored is null ? " (the writer does not answer)" : "");
            }
            var pause = stored is null ? Unanswered : _perBatch * toStore;
            pause = pause < MinPoll ? MinPoll : pause > MaxPoll ? MaxPoll : pause;
            await (sleep is null ? Task.Delay(pause, ct) : sleep(pause, ct));
        }
        var waited = Stopwatch.GetElapsedTime(started);
        Waited += waited;
        WaitSeconds.Add(waited.TotalSeconds);
    }

    /// <summary>Keeps the highest count seen, and a running estimate of the writer's time per batch.</summary>
    private void Observe(int stored)
    {
        var now = Stopwatch.GetTimestamp();
        if (_storedAt is long then)
        {
            if (stored <= _stored) return;
            _perBatch = (_perBatch + Stopwatch.GetElapsedTime(then, now) / (stored - _stored)) / 2;
        }
        _stored = stored;
        _storedAt = now;
    }
}
