using System.Buffers;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Inbox;
using CoffeeMesh.Messaging.Outbox;
using CoffeeMesh.Messaging.Storage;
using Npgsql;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// Applies one stored batch to the star schema: the batch's rows are streamed from MySQL into a
/// COPY to a temporary table; the dimensions they need are added in a short transaction; then one
/// transaction holds the set-based fact upsert, the batch record, the inbox entry and the outbox
/// "synced" event, so either all of those commit or none of them does.
/// </summary>
public sealed class SalesBatchSync(ServiceStore store, OltpSource oltp, Inbox inbox, Outbox outbox)
{
    public const string ConsumerName = "olap-sync";

    public static readonly string Instance = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <returns>false when the batch had already been synced (a duplicate delivery). A batch
    /// published again under a new message id is synced again: it finds what MySQL holds now.</returns>
    public async Task<bool> SyncAsync(SalesBatchStored batch, Guid messageId, CancellationToken ct)
    {
        using var activity = MessagingDiagnostics.ActivitySource.StartActivity("olap-sync sync batch");
        activity?.SetTag("coffeemesh.ingestion_id", batch.IngestionId).SetTag("coffeemesh.sequence", batch.Sequence);
        await using var pg = (NpgsqlConnection)await store.OpenAsync(ct);
        if (await inbox.SeenAsync(pg, ConsumerName, messageId, ct)) return false;

        // Staged outside any transaction: a temporary table is neither logged nor seen by others.
        await pg.Command(
                "CREATE TEMP TABLE IF NOT EXISTS fact_stage (transaction_id TEXT NOT NULL, date_id INT NOT NULL, time_id INT NOT NULL, " +
                "store_id INT NOT NULL, product_id INT NOT NULL, transaction_qty INT NOT NULL, total_amount NUMERIC(14,2) NOT NULL, " +
                "row_version BIGINT NOT NULL); TRUNCATE fact_stage")
            .ExecuteNonQueryAsync(ct);
        int rows;
        await using (var my = await oltp.OpenAsync(ct))
        {
            await using (var reader = await OltpSource.ReadFactLinesAsync(my, SalesTsv.RowVersion(batch.IngestionNumber, batch.FirstLine),
                             SalesTsv.RowVersion(batch.IngestionNumber, batch.LastLine), ct))
            await using (var copy = await pg.BeginTextImportAsync($"COPY fact_stage ({FactColumns}) FROM STDIN", ct))
                rows = await CopyLinesAsync(reader, copy, ct);
            // The dimensions commit on their own, before the facts: rows of reference data that a
            // failed fact transaction leaves unused are harmless, while holding their locks until
            // the facts commit would make concurrent batches that add the same new date or product
            // wait for each other's whole transaction.
            await using var dims = await pg.BeginTransactionAsync(ct);
            var (stores, products) = await Dimensions.KeysAsync(pg, dims, ct);
            await Dimensions.UpsertStoresAsync(pg, dims, await OltpSource.StoresAsync(my, stores, ct), ct);
            await Dimensions.UpsertProductsAsync(pg, dims, await OltpSource.ProductsAsync(my, products, ct), ct);
            await Dimensions.AddDatesAsync(pg, dims, ct);
            await dims.CommitAsync(ct);
        }

        await using var tx = await pg.BeginTransactionAsync(ct);
        if (!await inbox.TryAcceptAsync(pg, tx, ConsumerName, messageId, ct))
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        if (batch.NewTransactionsOnly) await AddNewFactsAsync(pg, tx, ct);
        else await UpsertFactsAsync(pg, tx, ct);
        await pg.Command(
                """
                INSERT INTO sync_batch (ingestion_id, sequence, ingestion_number, rows_synced, synced_at, synced_by)
                VALUES (@id, @seq, @number, @rows, @now, @by)
                ON CONFLICT (ingestion_id, sequence) DO UPDATE SET
                  rows_synced = excluded.rows_synced, synced_at = excluded.synced_at, synced_by = excluded.synced_by
                """, tx)
            .With("@id", batch.IngestionId).With("@seq", batch.Sequence).With("@number", batch.IngestionNumber)
            .With("@rows", rows).With("@now", DateTime.UtcNow).With("@by", Instance)
            .ExecuteNonQueryAsync(ct);
        var synced = new SalesBatchSynced { IngestionId = batch.IngestionId, Sequence = batch.Sequence, RowsSynced = rows };
        await outbox.AddAsync(pg, tx, synced, MessageIds.For("synced", batch.IngestionId, batch.Sequence), ct);
        await tx.CommitAsync(ct);
        outbox.Committed();
        activity?.SetTag("coffeemesh.rows", rows);
        return true;
    }

    /// <summary>
    /// Lines go to the COPY 16K characters at a time: an awaited write per line cost olap-sync about
    /// a microsecond of CPU a row (measured: 2.0 against 1.1-1.6 CPU s per 1M rows read and copied).
    /// </summary>
    private static async Task<int> CopyLinesAsync(System.Data.Common.DbDataReader reader, TextWriter copy, CancellationToken ct)
    {
        var buffer = ArrayPool<char>.Shared.Rent(16 * 1024);
        try
        {
            int rows = 0, used = 0;
            while (await reader.ReadAsync(ct))
            {
                var line = reader.GetString(0);
                if (used + line.Length + 1 > buffer.Length)
                {
                    await copy.WriteAsync(buffer.AsMemory(0, used), ct);
                    used = 0; // a line is under a hundred characters (OltpSource), far below the buffer
                }
                line.CopyTo(buffer.AsSpan(used));
                used += line.Length;
                buffer[used++] = '\n';
                rows++;
            }
            await copy.WriteAsync(buffer.AsMemory(0, used), ct);
            return rows;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A batch whose transactions were all new to MySQL is almost always new here too, and a plain
    /// INSERT costs PostgreSQL about a third less than ON CONFLICT (measured: 5.7 against 9 µs a row
    /// into a 9M-row fact table). Should a fact exist after all (a batch published again, a
    /// concurrent batch with the same id, a store rebuilt), the primary key stops the INSERT, in
    /// key order at the first such row, and the upsert runs instead.
    /// </summary>
    private static async Task AddNewFactsAsync(NpgsqlConnection pg, NpgsqlTransaction tx, CancellationToken ct)
    {
        await tx.SaveAsync("new_facts", ct);
        try
        {
            await pg.Command($"INSERT INTO fact_sales ({FactColumns}) SELECT {FactColumns} FROM fact_stage ORDER BY transaction_id", tx)
                .ExecuteNonQueryAsync(ct);
            await tx.ReleaseAsync("new_facts", ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync("new_facts", ct);
            await UpsertFactsAsync(pg, tx, ct);
        }
    }

    /// <summary>A fact is replaced only by a newer version of it: batches of different ingestions may arrive in any order.</summary>
    private static Task<int> UpsertFactsAsync(NpgsqlConnection pg, NpgsqlTransaction tx, CancellationToken ct) =>
        pg.Command(
                $"""
                INSERT INTO fact_sales AS f ({FactColumns})
                SELECT {FactColumns} FROM fact_stage
                ORDER BY transaction_id -- key order: the primary key's pages are visited once each, in sequence
                ON CONFLICT (transaction_id) DO UPDATE SET
                  date_id = excluded.date_id, time_id = excluded.time_id, store_id = excluded.store_id, product_id = excluded.product_id,
                  transaction_qty = excluded.transaction_qty, total_amount = excluded.total_amount, row_version = excluded.row_version
                WHERE f.row_version < excluded.row_version
                """, tx)
            .ExecuteNonQueryAsync(ct);

    private const string FactColumns = "transaction_id, date_id, time_id, store_id, product_id, transaction_qty, total_amount, row_version";
}
