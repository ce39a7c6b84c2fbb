using System.Diagnostics;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Inbox;
using CoffeeMesh.Messaging.Outbox;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.Messaging.Telemetry;
using Npgsql;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// Applies one stored batch to the star schema: the batch's rows are read from MySQL as COPY text;
/// the dimensions they name are added in a short transaction; then one transaction holds the facts,
/// the batch record, the inbox entry and the outbox "synced" event, so either all of those commit
/// or none of them does.
/// </summary>
public sealed class SalesBatchSync(ServiceStore store, OltpSource oltp, Inbox inbox, Outbox outbox)
{
    public const string ConsumerName = "olap-sync";

    public static readonly string Instance = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <returns>false when the batch had already been synced (a duplicate delivery). A batch
    /// published again under a new message id is synced again: it finds what MySQL holds now.</returns>
    public async Task<bool> SyncAsync(SalesBatchStored batch, Guid messageId, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = MessagingDiagnostics.ActivitySource.StartActivity("olap-sync sync batch");
        activity?.SetTag("coffeemesh.ingestion_id", batch.IngestionId).SetTag("coffeemesh.sequence", batch.Sequence);
        await using var pg = (NpgsqlConnection)await store.OpenAsync(ct);
        if (await inbox.SeenAsync(pg, ConsumerName, messageId, ct)) return false;

        using var facts = new FactLines();
        await using (var my = await oltp.OpenAsync(ct))
        {
            await using (var reader = await OltpSource.ReadFactLinesAsync(my, SalesTsv.RowVersion(batch.IngestionNumber, batch.FirstLine),
                             SalesTsv.RowVersion(batch.IngestionNumber, batch.LastLine), ct))
                await facts.ReadAsync(reader, ct);
            await Dimensions.AddForFactsAsync(pg, my, facts, ct);
        }

        await using var tx = await pg.BeginTransactionAsync(ct);
        if (!await inbox.TryAcceptAsync(pg, tx, ConsumerName, messageId, ct))
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        IReadOnlyDictionary<string, int> rejectedByReason = new Dictionary<string, int>();
        // The dashboard's aggregate moves with the facts: their dates are locked until commit (SalesAggregate).
        await SalesAggregate.LockDatesAsync(pg, tx, facts.Dates, ct);
        await tx.SaveAsync("facts", ct);
        try
        {
            if (batch.NewTransactionsOnly) await AddNewFactsAsync(pg, tx, facts, ct);
            else await UpsertFactsAsync(pg, tx, facts, ct);
            await tx.ReleaseAsync("facts", ct);
        }
        catch (PostgresException e) when (RejectedFacts.IsRowFault(e))
        {
            // PostgreSQL refuses a row that MySQL took: the rows it refuses are set aside with its
            // message (sync_rejected), the others stored.
            await tx.RollbackAsync("facts", ct);
            rejectedByReason = await RejectedFacts.StoreGoodAndRecordBadAsync(pg, tx, batch, facts.Lines(), (lines, c) => UpsertLinesAsync(pg, tx, lines, c), ct);
        }
        var rejected = rejectedByReason.Values.Sum();
        await pg.Command(
                """
                INSERT INTO sync_batch (ingestion_id, sequence, ingestion_number, rows_synced, synced_at, synced_by)
                VALUES (@id, @seq, @number, @rows, @now, @by)
                ON CONFLICT (ingestion_id, sequence) DO UPDATE SET
                  rows_synced = excluded.rows_synced, synced_at = excluded.synced_at, synced_by = excluded.synced_by
                """, tx)
            .With("@id", batch.IngestionId).With("@seq", batch.Sequence).With("@number", batch.IngestionNumber)
            .With("@rows", facts.Count - rejected).With("@now", DateTime.UtcNow).With("@by", Instance)
            .ExecuteNonQueryAsync(ct);
        var synced = new SalesBatchSynced
        {
            IngestionId = batch.IngestionId, Sequence = batch.Sequence, RowsSynced = facts.Count - rejected, Rejected = rejected, RejectedByReason = rejectedByReason,
            IngestionNumber = batch.IngestionNumber, FirstLine = batch.FirstLine, LastLine = batch.LastLine,
        };
        await outbox.AddAsync(pg, tx, synced, MessageIds.For("synced", batch.IngestionId, batch.Sequence), ct);
        await tx.CommitAsync(ct);
        outbox.Committed();
        activity?.SetTag("coffeemesh.rows", facts.Count);
        PipelineMetrics.BatchDone("olap-sync", facts.Count, facts.Count - rejected, rejected, started);
        PipelineMetrics.InStarSchema(DateTime.UtcNow);
        return true;
    }

    /// <summary>
    /// A batch whose transactions were all new to MySQL is almost always new here too, so its lines
    /// are copied straight into fact_sales: less of PostgreSQL's work for a batch than staging them
    /// and inserting from the stage (docs/performance.md). Should a fact exist after all (a batch published again, a concurrent
    /// batch with the same id, a store rebuilt), the primary key stops the COPY and the upsert runs instead.
    /// </summary>
    private static async Task AddNewFactsAsync(NpgsqlConnection pg, NpgsqlTransaction tx, FactLines facts, CancellationToken ct)
    {
        await tx.SaveAsync("new_facts", ct);
        try
        {
            await facts.CopyToAsync(pg, "fact_sales", FactColumns, ct);
            await SalesAggregate.AddFactsAsync(pg, tx, facts, ct);
            await tx.ReleaseAsync("new_facts", ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync("new_facts", ct);
            await UpsertFactsAsync(pg, tx, facts, ct);
        }
    }

    /// <summary>Some of a batch's lines, through the staging table and the upsert (how rows are stored while the refused ones are looked for).</summary>
    private static async Task UpsertLinesAsync(NpgsqlConnection pg, NpgsqlTransaction tx, IReadOnlyList<string> lines, CancellationToken ct)
    {
        using var subset = new FactLines();
        foreach (var line in lines) subset.Add(line);
        await UpsertFactsAsync(pg, tx, subset, ct);
    }

    /// <summary>A fact is replaced only by a newer version of it: batches of different ingestions may arrive in any order.</summary>
    private static async Task UpsertFactsAsync(NpgsqlConnection pg, NpgsqlTransaction tx, FactLines facts, CancellationToken ct)
    {
        // A temporary table is neither logged nor seen by other sessions; ON COMMIT DROP would
        // cost a catalog entry a batch, so it lives as long as the pooled connection.
        await pg.Command(
                "CREATE TEMP TABLE IF NOT EXISTS fact_stage (transaction_id TEXT NOT NULL, date_id INT NOT NULL, time_id INT NOT NULL, " +
                "store_id INT NOT NULL, product_id INT NOT NULL, transaction_qty INT NOT NULL, total_amount NUMERIC(14,2) NOT NULL, " +
                "row_version BIGINT NOT NULL, store_key INT NOT NULL, product_key INT NOT NULL); TRUNCATE fact_stage", tx)
            .ExecuteNonQueryAsync(ct);
        await facts.CopyToAsync(pg, "fact_stage", FactColumns, ct);
        await SalesAggregate.ApplyStagedAsync(pg, tx, facts.Dates, ct);
        await pg.Command(
                $"""
                INSERT INTO fact_sales AS f ({FactColumns})
                SELECT {FactColumns} FROM fact_stage
                ORDER BY transaction_id -- key order: the primary key's pages are visited once each, in sequence
                ON CONFLICT (transaction_id) DO UPDATE SET
                  date_id = excluded.date_id, time_id = excluded.time_id, store_id = excluded.store_id, product_id = excluded.product_id,
                  transaction_qty = excluded.transaction_qty, total_amount = excluded.total_amount, row_version = excluded.row_version,
                  store_key = excluded.store_key, product_key = excluded.product_key
                WHERE f.row_version < excluded.row_version
                """, tx)
            .ExecuteNonQueryAsync(ct);
    }

    internal const string FactColumns = "transaction_id, date_id, time_id, store_id, product_id, transaction_qty, total_amount, row_version, store_key, product_key";
}
