using System.Text.Json;
using CoffeeMesh.Contracts;
using CoffeeMesh.Ingest.Failures;
using CoffeeMesh.Ingest.Ingestions;
using CoffeeMesh.Ingest.Ledger;
using CoffeeMesh.Ingest.Reading;
using CoffeeMesh.Messaging.Storage;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest.Api;

/// <summary>
/// An ingestion's status (the contract <see cref="IngestionStatus"/>) from ingest's own tables: the
/// ingestion's read watermark, the ledger the stages' events fill, the stores' counts, and the
/// stages' recorded failures. No stage is asked over HTTP.
/// </summary>
public sealed class IngestionStatusView(ServiceStore store, IngestionStore ingestions, StageFailures failures, IOptions<IngestOptions> options)
{
    /// <summary>The status of one ingestion; null when ingest has no such ingestion.</summary>
    public async Task<IngestionStatus?> GetAsync(Guid id, CancellationToken ct) =>
        await ingestions.GetAsync(id, ct) is { } r ? await BuildAsync(r, ct) : null;

    /// <summary>The most recent ingestions, newest first (at most <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<IngestionStatus>> ListAsync(int limit, CancellationToken ct)
    {
        var ids = new List<Guid>();
        await using (var c = await store.OpenAsync(ct))
        await using (var reader = await c.Command("SELECT ingestion_id FROM ingestion ORDER BY ingestion_number DESC LIMIT @limit").With("@limit", limit).ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        var list = new List<IngestionStatus>(ids.Count);
        foreach (var id in ids)
            if (await GetAsync(id, ct) is { } status) list.Add(status);
        return list;
    }

    private async Task<IngestionStatus> BuildAsync(IngestionRecord r, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        var ledger = await LedgerAsync(c, r.Id, ct);
        var counts = await CountsAsync(c, r.Id, ct);
        var reasons = await ReasonsAsync(c, r.Id, ct);
        var open = await failures.OpenAsync(r.Id, 20, ct);

        StageSums S(string stage) => ledger.GetValueOrDefault(stage) ?? StageSums.None;
        var oltp = S(IngestionLedger.OltpWriter);
        var olap = S(IngestionLedger.OlapSync);
        var published = ledger.GetValueOrDefault(IngestionLedger.CloudPublisher);
        var loaded = ledger.GetValueOrDefault(IngestionLedger.WarehouseLoader);
        counts.TryGetValue(IngestionLedger.OltpWriter, out var oltpCount);
        counts.TryGetValue(IngestionLedger.OlapSync, out var olapCount);

        var state = r.State switch
        {
            IngestionStates.Failed => "failed",
            IngestionStates.Queued => "queued",
            IngestionStates.Reading => "reading",
            _ when r.CompletedAt is not null => "completed",
            _ => "processing",
        };
        var error = r.Error;
        if (open.Count > 0)
        {
            // A stage that gave up on one of its messages fails the ingestion, naming it.
            state = "failed";
            error ??= Describe(open[0], r.Id) + (open.Count > 1 ? $" ({open.Count - 1} more: ./coffeemesh errors)" : "");
        }
        Stall? stalled = null;
        if (state is "queued" or "reading" or "processing")
        {
            // No state stays silent: without progress for Ingest:StallAfterSeconds it is reported stalled, with what it waits for.
            var last = new[] { r.UpdatedAt, r.LastReportedAt ?? DateTime.MinValue, oltpCount?.CountedAt ?? DateTime.MinValue }.Max();
            var quiet = DateTime.UtcNow - last;
            if (quiet.TotalSeconds > options.Value.StallAfterSeconds)
            {
                stalled = new Stall(last, (long)quiet.TotalSeconds, WaitingFor(state, r, oltp, olap, published ?? StageSums.None, loaded ?? StageSums.None));
                state = "stalled";
            }
        }

        // The stores' counts, once they have counted, else what the stages reported so far.
        var accepted = oltpCount is { } oc ? oc.RowsOut + oc.Superseded : oltp.RowsOut + oltp.Superseded;
        var quarantined = oltpCount?.Quarantined ?? oltp.Quarantined;
        var outOfRange = oltpCount?.OutOfRange ?? oltp.OutOfRange;
        var completed = state == "completed";
        return new IngestionStatus
        {
            IngestionId = r.Id,
            Source = r.Source,
            State = state,
            Error = error,
            From = r.From,
            To = r.To,
            RowsRead = r.RowsRead,
            Batches = r.NextSequence,
            BatchesCleaned = S(IngestionLedger.Transform).Batches,
            BatchesStored = oltp.Batches,
            BatchesSynced = olap.Batches,
            Accepted = accepted,
            Quarantined = quarantined,
            OutOfRange = outOfRange,
            DuplicatesSuperseded = oltpCount?.Superseded ?? oltp.Superseded,
            QuarantinedByReason = oltpCount?.ByReason ?? reasons.GetValueOrDefault(IngestionLedger.OltpWriter) ?? new Dictionary<string, long>(),
            StoredOltp = oltpCount?.Rows,
            SyncedOlap = olapCount?.Rows,
            RejectedOlap = olapCount?.Rejected ?? olap.Rejected,
            RejectedOlapReasons = olapCount?.ByReason ?? reasons.GetValueOrDefault(IngestionLedger.OlapSync) ?? new Dictionary<string, long>(),
            PublishedGcs = published?.RowsOut,
            LoadedWarehouse = loaded?.RowsOut,
            BatchesPublished = published?.Batches ?? 0,
            BatchesLoaded = loaded?.Batches ?? 0,
            Verified = oltpCount is null || olapCount is null ? null : oltpCount.Agrees(oltp) && olapCount.AgreesOnFacts(olap),
            // The accounting identity, on the stores' counts.
            Balanced = completed ? accepted + quarantined + outOfRange == r.RowsRead : null,
            Stages = Funnel(r, S(IngestionLedger.Transform), oltp, olap, published ?? StageSums.None, loaded ?? StageSums.None),
            Failures = open.Select(f => new StageFailure(f.Stage, f.Sequence < 0 ? null : f.Sequence, f.MessageType, f.Reason, f.FailedAt)).ToList(),
            Stalled = stalled,
            AttributeChanges = oltpCount?.AttributeChanges ?? [],
            AttributeChangesTotal = (int)(oltpCount?.AttributeChangesTotal ?? 0),
            Format = Format(r),
            CreatedAt = r.CreatedAt,
            UpdatedAt = new[] { r.UpdatedAt, r.LastReportedAt ?? DateTime.MinValue, r.CompletedAt ?? DateTime.MinValue }.Max(),
            CompletedAt = completed ? r.CompletedAt : null,
        };
    }

    /// <summary>
    /// The stages as a funnel: each stage's rows in are what the stage before it passed on, and its
    /// quarantined are the rows it held back itself (transform: rules and dates out of range;
    /// oltp-writer: rows MySQL refused, store_rejected; olap-sync: facts PostgreSQL refused).
    /// cloud-publisher is given a batch's rows as MySQL holds them when it publishes it; warehouse-loader the rows
    /// of a batch's objects once it loaded all of them.
    /// </summary>
    private static List<StageProgress> Funnel(IngestionRecord r, StageSums transform, StageSums oltp, StageSums olap, StageSums published, StageSums loaded)
    {
        // The writer's quarantined rows include transform's; its own are the difference, once both have reported the same batches.
        var writerRefused = transform.Batches == oltp.Batches ? Math.Max(0, oltp.Quarantined - transform.Quarantined) : 0;
        return
        [
            new("ingest", r.NextSequence, r.RowsRead, r.RowsRead, 0, r.CreatedAt, r.UpdatedAt),
            new(IngestionLedger.Transform, transform.Batches, transform.RowsIn, transform.RowsOut, transform.Quarantined + transform.OutOfRange,
                transform.FirstAt, transform.LastAt),
            new(IngestionLedger.OltpWriter, oltp.Batches, oltp.RowsOut + oltp.Superseded + writerRefused, oltp.RowsOut, writerRefused, oltp.FirstAt, oltp.LastAt),
            new(IngestionLedger.OlapSync, olap.Batches, olap.RowsIn, olap.RowsOut, olap.Rejected, olap.FirstAt, olap.LastAt),
            new(IngestionLedger.CloudPublisher, published.Batches, published.RowsIn, published.RowsOut, 0, published.FirstAt, published.LastAt),
            new(IngestionLedger.WarehouseLoader, loaded.Batches, loaded.RowsIn, loaded.RowsOut, 0, loaded.FirstAt, loaded.LastAt),
        ];
    }

    private static async Task<Dictionary<string, StageSums>> LedgerAsync(System.Data.Common.DbConnection c, Guid id, CancellationToken ct)
    {
        var ledger = new Dictionary<string, StageSums>();
        await using var reader = await c.Command(
                """
                SELECT stage, COUNT(*), SUM(rows_in), SUM(rows_out), SUM(quarantined), SUM(out_of_range), SUM(superseded), SUM(rejected),
                       MIN(reported_at), MAX(reported_at)
                FROM ledger_batch WHERE ingestion_id = @id GROUP BY stage
                """).With("@id", id).ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            long L(int i) => Convert.ToInt64(reader.GetValue(i));
            ledger[reader.GetString(0)] = new StageSums(Convert.ToInt32(reader.GetValue(1)), L(2), L(3), L(4), L(5), L(6), L(7),
                Utc(reader.GetDateTime(8)), Utc(reader.GetDateTime(9)));
        }
        return ledger;
    }

    private static async Task<Dictionary<string, StoreCount>> CountsAsync(System.Data.Common.DbConnection c, Guid id, CancellationToken ct)
    {
        var counts = new Dictionary<string, StoreCount>();
        await using var reader = await c.Command(
                """
                SELECT stage, batches, row_count, rows_in, rows_out, quarantined, out_of_range, superseded, rejected, by_reason,
                       attribute_changes, attribute_changes_total, counted_at
                FROM ledger_count WHERE ingestion_id = @id
                """).With("@id", id).ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            long L(int i) => reader.GetInt64(i);
            counts[reader.GetString(0)] = new StoreCount(reader.GetInt32(1), L(2), L(3), L(4), L(5), L(6), L(7), L(8),
                JsonSerializer.Deserialize<Dictionary<string, long>>(reader.GetString(9)) ?? [],
                JsonSerializer.Deserialize<List<AttributeChanged>>(reader.GetString(10)) ?? [],
                L(11), Utc(reader.GetDateTime(12)));
        }
        return counts;
    }

    private static async Task<Dictionary<string, Dictionary<string, long>>> ReasonsAsync(System.Data.Common.DbConnection c, Guid id, CancellationToken ct)
    {
        var reasons = new Dictionary<string, Dictionary<string, long>>();
        await using var reader = await c.Command("SELECT stage, reason, row_count FROM ledger_reason WHERE ingestion_id = @id ORDER BY stage, reason")
            .With("@id", id).ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var stage = reader.GetString(0);
            if (!reasons.TryGetValue(stage, out var byReason)) reasons[stage] = byReason = [];
            byReason[reader.GetString(1)] = reader.GetInt64(2);
        }
        return reasons;
    }

    private static string Describe(StageFailures.Failure f, Guid id) =>
        $"{f.Stage} gave up on {(f.Sequence < 0 ? f.MessageType : $"batch {f.Sequence}")}: {f.Reason}. " +
        $"The message waits in its dead-letter queue; after a fix, ./coffeemesh replay --ingestion {id}";

    /// <summary>Which stage an ingestion that stopped moving waits for.</summary>
    private static string WaitingFor(string state, IngestionRecord r, StageSums oltp, StageSums olap, StageSums published, StageSums loaded)
    {
        if (state == "queued") return "ingest has not started reading it: is an ingest replica running and connected to the broker?";
        if (state == "reading") return $"ingest's reading has not moved ({r.NextSequence} batches read, {oltp.Batches} stored by oltp-writer)";
        if (oltp.Batches < r.NextSequence) return $"transform and oltp-writer: {oltp.Batches} of {r.NextSequence} batches stored";
        if (olap.Batches < r.NextSequence) return $"olap-sync: {olap.Batches} of {r.NextSequence} batches synced";
        if (published.Batches < r.NextSequence) return $"cloud-publisher: {published.Batches} of {r.NextSequence} batches written to the bucket";
        if (loaded.Batches < r.NextSequence)
            return $"warehouse-loader: {loaded.Batches} of {r.NextSequence} batches loaded (is it running, and does the bucket's notification reach it?)";
        return "the stores' counts: oltp-writer and olap-sync answer IngestionCountRequested (are they connected to the broker?)";
    }

    /// <summary>What ingest decided about the file's format (null until its header is read).</summary>
    private static FileFormat? Format(IngestionRecord r)
    {
        if (r.Separator is not { Length: 1 } separator || r.ColumnMap is null) return null;
        var f = SourceLayout.Deserialize(separator[0], r.ColumnMap);
        var order = f.DateOrder == DateOrder.DayFirst ? "day-first" : "month-first";
        return new FileFormat(
            separator == "\t" ? "tab" : separator,
            f.DateOrderAssumed ? $"{order} (assumed: no row decides it; Cleaning:DateOrder)" : order,
            f.DateOrderAssumed,
            f.DecimalMark.ToString(),
            f.LineEnding,
            f.Shape == SourceShape.Processed ? "processed" : "raw");
    }

    private static DateTime Utc(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc);

    /// <summary>A stage's ledger entries for one ingestion, summed.</summary>
    private sealed record StageSums(int Batches, long RowsIn, long RowsOut, long Quarantined, long OutOfRange, long Superseded, long Rejected,
        DateTime? FirstAt, DateTime? LastAt)
    {
        public static readonly StageSums None = new(0, 0, 0, 0, 0, 0, 0, null, null);
    }

    /// <summary>A store's latest count of the ingestion.</summary>
    private sealed record StoreCount(int Batches, long Rows, long RowsIn, long RowsOut, long Quarantined, long OutOfRange, long Superseded, long Rejected,
        Dictionary<string, long> ByReason, List<AttributeChanged> AttributeChanges, long AttributeChangesTotal, DateTime CountedAt)
    {
        /// <summary>The stage's reports add up to what the store holds.</summary>
        public bool Agrees(StageSums reported) =>
            reported.Batches == Batches && reported.RowsIn == RowsIn && reported.RowsOut == RowsOut && reported.Quarantined == Quarantined
            && reported.OutOfRange == OutOfRange && reported.Superseded == Superseded && reported.Rejected == Rejected;

        /// <summary>olap-sync's reports add up to its facts and refusals (it records refusals per fact, not per batch).</summary>
        public bool AgreesOnFacts(StageSums reported) => reported.Batches == Batches && reported.RowsOut == RowsOut && reported.Rejected == Rejected;
    }
}
