using System.Data.Common;
using System.Text.Json;
using CoffeeMesh.Contracts;
using CoffeeMesh.Ingest.Ingestions;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Inbox;
using CoffeeMesh.Messaging.Outbox;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.Ingest.Ledger;

/// <summary>
/// The ingestion ledger's writes (tables ledger_batch, ledger_reason, ledger_count; see IngestSchema).
/// Each stage's batch event is recorded once (the inbox and the primary key both drop copies);
/// once reading is done and both stores have reported every batch, the stores are asked to count
/// the ingestion themselves (IngestionCountRequested through the outbox); their counts fill any
/// batch whose event never came, and complete the ingestion when they hold every batch.
/// </summary>
public sealed class IngestionLedger(ServiceStore store, Inbox inbox, Outbox outbox, LedgerSignal signal, ILogger<IngestionLedger> logger)
{
    public const string Transform = "transform";
    public const string OltpWriter = "oltp-writer";
    public const string OlapSync = "olap-sync";
    public const string CloudPublisher = "cloud-publisher";
    public const string WarehouseLoader = "warehouse-loader";
    /// <summary>Every stage a batch passes through; an ingestion is complete when each holds every batch.</summary>
    public static readonly string[] Stages = [Transform, OltpWriter, OlapSync, CloudPublisher, WarehouseLoader];
    private const int MaxReason = 255;

    /// <summary>
    /// Records one stage's outcome of one batch. Returns false for a copy already recorded.
    /// Throws what the database throws (the consumer's retry handles transient faults).
    /// </summary>
    /// <param name="messageId">The event's message id (the inbox key).</param>
    /// <param name="reasons">Rows by reason code (or, for olap-sync, by PostgreSQL's message).</param>
    public async Task<bool> RecordBatchAsync(string stage, Guid messageId, Guid ingestionId, BatchOutcome outcome,
        IReadOnlyDictionary<string, int> reasons, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        // The ingestion's row lock orders its events with each other and with the end of reading,
        // so exactly one of them sees the ledger complete.
        var ingestion = await LockAsync(c, tx, ingestionId, ct);
        if (!await inbox.TryAcceptAsync(c, tx, "ingest.ledger." + stage, messageId, ct))
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        var now = DateTime.UtcNow;
        var added = await InsertBatchesAsync(c, tx, ingestionId, stage, [outcome], "event", now, ct);
        if (added > 0)
            foreach (var (reason, rows) in reasons)
                await c.Command(
                        """
                        INSERT INTO ledger_reason (ingestion_id, stage, reason, row_count) VALUES (@id, @stage, @reason, @rows)
                        ON DUPLICATE KEY UPDATE row_count = row_count + VALUES(row_count)
                        """, tx)
                    .With("@id", ingestionId).With("@stage", stage).With("@reason", Truncate(reason)).With("@rows", rows)
                    .ExecuteNonQueryAsync(ct);
        var requested = false;
        if (ingestion is not null)
        {
            await c.Command("UPDATE ingestion SET last_reported_at = @now WHERE ingestion_id = @id", tx).With("@now", now).With("@id", ingestionId)
                .ExecuteNonQueryAsync(ct);
            if (stage is not Transform) requested = await RequestCountIfDoneAsync(c, tx, ingestion, ct);
        }
        await tx.CommitAsync(ct);
        if (requested) outbox.Committed();
        if (stage == OltpWriter) signal.Notify();
        return added > 0;
    }

    /// <summary>
    /// Records a store's count: batches the ledger lacks are filled from it (reported_by 'count'),
    /// and the ingestion is completed when both stores' latest counts hold every batch read.
    /// </summary>
    public async Task RecordCountAsync(Guid messageId, IngestionCounted count, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var ingestion = await LockAsync(c, tx, count.IngestionId, ct);
        if (!await inbox.TryAcceptAsync(c, tx, "ingest.ledger.count", messageId, ct))
        {
            await tx.RollbackAsync(ct);
            return;
        }
        var now = DateTime.UtcNow;
        var b = count.Batches;
        await c.Command(
                """
                INSERT INTO ledger_count (ingestion_id, stage, batches, row_count, rows_in, rows_out, quarantined, out_of_range, superseded, rejected,
                                          by_reason, attribute_changes, attribute_changes_total, counted_at)
                VALUES (@id, @stage, @batches, @rows, @in, @out, @q, @oor, @sup, @rej, @reasons, @changes, @changesTotal, @at)
                ON DUPLICATE KEY UPDATE batches = IF(VALUES(counted_at) >= counted_at, VALUES(batches), batches),
                  row_count = IF(VALUES(counted_at) >= counted_at, VALUES(row_count), row_count),
                  rows_in = IF(VALUES(counted_at) >= counted_at, VALUES(rows_in), rows_in),
                  rows_out = IF(VALUES(counted_at) >= counted_at, VALUES(rows_out), rows_out),
                  quarantined = IF(VALUES(counted_at) >= counted_at, VALUES(quarantined), quarantined),
                  out_of_range = IF(VALUES(counted_at) >= counted_at, VALUES(out_of_range), out_of_range),
                  superseded = IF(VALUES(counted_at) >= counted_at, VALUES(superseded), superseded),
                  rejected = IF(VALUES(counted_at) >= counted_at, VALUES(rejected), rejected),
                  by_reason = IF(VALUES(counted_at) >= counted_at, VALUES(by_reason), by_reason),
                  attribute_changes = IF(VALUES(counted_at) >= counted_at, VALUES(attribute_changes), attribute_changes),
                  attribute_changes_total = IF(VALUES(counted_at) >= counted_at, VALUES(attribute_changes_total), attribute_changes_total),
                  counted_at = GREATEST(counted_at, VALUES(counted_at))
                """, tx)
            .With("@id", count.IngestionId).With("@stage", count.Stage).With("@batches", b.Count).With("@rows", count.Rows)
            .With("@in", b.Sum(x => (long)x.RowsIn)).With("@out", b.Sum(x => (long)x.RowsOut)).With("@q", b.Sum(x => (long)x.Quarantined))
            .With("@oor", b.Sum(x => (long)x.OutOfRange)).With("@sup", b.Sum(x => (long)x.Superseded)).With("@rej", count.Rejected)
            .With("@reasons", JsonSerializer.Serialize(count.ByReason)).With("@changes", JsonSerializer.Serialize(count.AttributeChanges))
            .With("@changesTotal", count.AttributeChangesTotal).With("@at", count.CountedAt.UtcDateTime)
            .ExecuteNonQueryAsync(ct);
        // A lost event changes nothing: its batch is taken from the store's own record.
        var outcomes = b.Select(x => new BatchOutcome(x.Sequence, x.RowsIn, x.RowsOut, x.Quarantined, x.OutOfRange, x.Superseded, x.Rejected)).ToList();
        var healed = await InsertBatchesAsync(c, tx, count.IngestionId, count.Stage, outcomes, "count", now, ct);
        if (count.Stage == OltpWriter)
            // The writer's record of a batch is what transform made of it.
            healed += await InsertBatchesAsync(c, tx, count.IngestionId, Transform,
                b.Select(x => new BatchOutcome(x.Sequence, x.RowsIn, x.RowsOut + x.Superseded, x.Quarantined, x.OutOfRange, 0, 0)).ToList(), "count", now, ct);
        if (count.Stage == WarehouseLoader)
            // Every object of a batch loaded: the batch was published, and those are its objects' rows.
            healed += await InsertBatchesAsync(c, tx, count.IngestionId, CloudPublisher, outcomes, "count", now, ct);
        if (healed > 0)
            logger.LogWarning("Ingestion {IngestionId}: {Batches} batch reports never arrived from {Stage}; taken from its count", count.IngestionId, healed, count.Stage);
        if (ingestion is { State: IngestionStates.Read, CompletedAt: null })
        {
            var counted = await CountedBatchesAsync(c, tx, count.IngestionId, ct);
            var reported = await ReportedBatchesAsync(c, tx, count.IngestionId, ct);
            // Both stores by their own counts; the bucket and the warehouse by their events, or the warehouse's count.
            if (counted.TryGetValue(OltpWriter, out var stored) && stored >= ingestion.Batches
                && counted.TryGetValue(OlapSync, out var synced) && synced >= ingestion.Batches
                && reported.GetValueOrDefault(CloudPublisher) >= ingestion.Batches && reported.GetValueOrDefault(WarehouseLoader) >= ingestion.Batches)
                // Completed when the last stage finished its last batch (its last event; the end of reading when no event came,
                // as for ingestions older than the ledger), not when the count arrived.
                await c.Command("UPDATE ingestion SET completed_at = GREATEST(updated_at, COALESCE(last_reported_at, updated_at)) WHERE ingestion_id = @id", tx)
                    .With("@id", count.IngestionId).ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// At the end of reading (in the transaction that marks the ingestion read): the stages may have
    /// reported every batch already.
    /// </summary>
    public async Task<bool> ReadingFinishedAsync(DbConnection c, DbTransaction tx, Guid ingestionId, CancellationToken ct) =>
        await LockAsync(c, tx, ingestionId, ct) is { } ingestion && await RequestCountIfDoneAsync(c, tx, ingestion, ct);

    /// <summary>Asks the stores to count an ingestion again (the recount of ingestions that went quiet).</summary>
    public async Task RequestCountAsync(Guid ingestionId, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        if (await LockAsync(c, tx, ingestionId, ct) is not { State: IngestionStates.Read, CompletedAt: null } ingestion) return;
        await AddCountRequestAsync(c, tx, ingestion, ct);
        await tx.CommitAsync(ct);
        outbox.Committed();
    }

    /// <summary>How many of an ingestion's batches a stage has reported (read-ahead's pacing).</summary>
    public async Task<int> BatchesAsync(Guid ingestionId, string stage, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        return Convert.ToInt32(await c.Command("SELECT COUNT(*) FROM ledger_batch WHERE ingestion_id = @id AND stage = @stage")
            .With("@id", ingestionId).With("@stage", stage).ExecuteScalarAsync(ct));
    }

    private async Task<bool> RequestCountIfDoneAsync(DbConnection c, DbTransaction tx, LockedIngestion ingestion, CancellationToken ct)
    {
        if (ingestion is not { State: IngestionStates.Read, CompletedAt: null }) return false;
        var reported = await ReportedBatchesAsync(c, tx, ingestion.Id, ct);
        if (new[] { OltpWriter, OlapSync, CloudPublisher, WarehouseLoader }.Any(s => reported.GetValueOrDefault(s) < ingestion.Batches)) return false;
        await AddCountRequestAsync(c, tx, ingestion, ct);
        return true;
    }

    private async Task AddCountRequestAsync(DbConnection c, DbTransaction tx, LockedIngestion ingestion, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var request = new IngestionCountRequested { IngestionId = ingestion.Id, IngestionNumber = ingestion.Number, Batches = ingestion.Batches, RequestedAt = now };
        // Each request is new (a recount must not be taken for a copy of the first).
        await outbox.AddAsync(c, tx, request, Guid.NewGuid(), ct);
        await c.Command("UPDATE ingestion SET count_requested_at = @now WHERE ingestion_id = @id", tx).With("@now", now).With("@id", ingestion.Id)
            .ExecuteNonQueryAsync(ct);
    }

    private static async Task<int> InsertBatchesAsync(DbConnection c, DbTransaction tx, Guid ingestionId, string stage, IReadOnlyList<BatchOutcome> batches,
        string reportedBy, DateTime now, CancellationToken ct)
    {
        var added = 0;
        foreach (var chunk in batches.Chunk(500))
        {
            var values = string.Join(", ", chunk.Select((_, i) => $"(@id, @stage, @s{i}, @in{i}, @out{i}, @q{i}, @oor{i}, @sup{i}, @rej{i}, @by, @now)"));
            var command = c.Command(
                    "INSERT IGNORE INTO ledger_batch (ingestion_id, stage, sequence, rows_in, rows_out, quarantined, out_of_range, superseded, rejected, reported_by, reported_at) " +
                    "VALUES " + values, tx)
                .With("@id", ingestionId).With("@stage", stage).With("@by", reportedBy).With("@now", now);
            for (var i = 0; i < chunk.Length; i++)
            {
                var o = chunk[i];
                command.With($"@s{i}", o.Sequence).With($"@in{i}", o.RowsIn).With($"@out{i}", o.RowsOut).With($"@q{i}", o.Quarantined)
                    .With($"@oor{i}", o.OutOfRange).With($"@sup{i}", o.Superseded).With($"@rej{i}", o.Rejected);
            }
            added += await command.ExecuteNonQueryAsync(ct);
        }
        return added;
    }

    /// <summary>
    /// Records one object the warehouse loaded; once every object of its batch is recorded, the batch's
    /// 'warehouse-loader' outcome (rows: the objects' rows) goes into the ledger like any stage's.
    /// A copy (same object) changes nothing.
    /// </summary>
    public async Task RecordObjectLoadedAsync(Guid messageId, SalesObjectLoaded loaded, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var ingestion = await LockAsync(c, tx, loaded.IngestionId, ct);
        if (!await inbox.TryAcceptAsync(c, tx, "ingest.ledger.object", messageId, ct))
        {
            await tx.RollbackAsync(ct);
            return;
        }
        var now = DateTime.UtcNow;
        await c.Command(
                """
                INSERT IGNORE INTO ledger_object (ingestion_id, sequence, object_name, generation, batch_objects, row_count, loaded_at)
                VALUES (@id, @seq, @name, @generation, @objects, @rows, @now)
                """, tx)
            .With("@id", loaded.IngestionId).With("@seq", loaded.Sequence).With("@name", loaded.ObjectName).With("@generation", loaded.Generation)
            .With("@objects", loaded.BatchObjects).With("@rows", loaded.Rows).With("@now", now).ExecuteNonQueryAsync(ct);
        long objects = 0, rows = 0;
        await using (var r = await c.Command("SELECT COUNT(*), COALESCE(SUM(row_count), 0) FROM ledger_object WHERE ingestion_id = @id AND sequence = @seq", tx)
                         .With("@id", loaded.IngestionId).With("@seq", loaded.Sequence).ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct)) (objects, rows) = (Convert.ToInt64(r.GetValue(0)), Convert.ToInt64(r.GetValue(1)));
        var requested = false;
        if (objects >= loaded.BatchObjects)
        {
            var n = (int)Math.Min(rows, int.MaxValue);
            await InsertBatchesAsync(c, tx, loaded.IngestionId, WarehouseLoader, [new BatchOutcome(loaded.Sequence, n, n, 0, 0, 0, 0)], "event", now, ct);
            if (ingestion is not null)
            {
                await c.Command("UPDATE ingestion SET last_reported_at = @now WHERE ingestion_id = @id", tx).With("@now", now).With("@id", loaded.IngestionId)
                    .ExecuteNonQueryAsync(ct);
                requested = await RequestCountIfDoneAsync(c, tx, ingestion, ct);
            }
        }
        await tx.CommitAsync(ct);
        if (requested) outbox.Committed();
    }

    /// <summary>
    /// A batch cloud-publisher found nothing current to write for (every row replaced since) has no object:
    /// it is in the warehouse as it is, with no rows.
    /// </summary>
    public async Task RecordEmptyBatchLoadedAsync(Guid ingestionId, int sequence, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var ingestion = await LockAsync(c, tx, ingestionId, ct);
        await InsertBatchesAsync(c, tx, ingestionId, WarehouseLoader, [new BatchOutcome(sequence, 0, 0, 0, 0, 0, 0)], "event", DateTime.UtcNow, ct);
        var requested = ingestion is not null && await RequestCountIfDoneAsync(c, tx, ingestion, ct);
        await tx.CommitAsync(ct);
        if (requested) outbox.Committed();
    }

    private static async Task<Dictionary<string, int>> ReportedBatchesAsync(DbConnection c, DbTransaction tx, Guid id, CancellationToken ct)
    {
        var reported = new Dictionary<string, int>();
        await using var r = await c.Command("SELECT stage, COUNT(*) FROM ledger_batch WHERE ingestion_id = @id GROUP BY stage", tx)
            .With("@id", id).ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) reported[r.GetString(0)] = Convert.ToInt32(r.GetValue(1));
        return reported;
    }

    private static async Task<Dictionary<string, int>> CountedBatchesAsync(DbConnection c, DbTransaction tx, Guid id, CancellationToken ct)
    {
        var counted = new Dictionary<string, int>();
        await using var r = await c.Command("SELECT stage, batches FROM ledger_count WHERE ingestion_id = @id", tx).With("@id", id).ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) counted[r.GetString(0)] = r.GetInt32(1);
        return counted;
    }

    private static async Task<LockedIngestion?> LockAsync(DbConnection c, DbTransaction tx, Guid id, CancellationToken ct)
    {
        await using var r = await c.Command(
                "SELECT ingestion_number, state, next_sequence, completed_at FROM ingestion WHERE ingestion_id = @id FOR UPDATE", tx)
            .With("@id", id).ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct)
            ? new LockedIngestion(id, r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null : r.GetDateTime(3))
            : null;
    }

    private static string Truncate(string reason) => reason.Length <= MaxReason ? reason : reason[..(MaxReason - 1)] + "…";

    private sealed record LockedIngestion(Guid Id, long Number, string State, int Batches, DateTime? CompletedAt);
}

/// <summary>One stage's outcome of one batch, in rows: RowsIn arrived, RowsOut went on (or were stored).</summary>
public sealed record BatchOutcome(int Sequence, int RowsIn, int RowsOut, int Quarantined, int OutOfRange, int Superseded, int Rejected);
