using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Inbox;
using CoffeeMesh.Messaging.Outbox;
using CoffeeMesh.Messaging.Storage;
using Npgsql;
using NpgsqlTypes;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// Applies one stored batch to the star schema in one PostgreSQL transaction: the batch's rows are
/// streamed from MySQL into a binary COPY, then one set-based upsert per table, the batch record,
/// the inbox entry and the outbox "synced" event. Either all of it commits or none of it does.
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
        await using var tx = await pg.BeginTransactionAsync(ct);
        if (!await inbox.TryAcceptAsync(pg, tx, ConsumerName, messageId, ct))
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        await pg.Command(
                "CREATE TEMP TABLE fact_stage (transaction_id TEXT NOT NULL, date_id INT NOT NULL, time_id INT NOT NULL, store_id INT NOT NULL, " +
                "product_id INT NOT NULL, transaction_qty INT NOT NULL, total_amount NUMERIC(14,2) NOT NULL, row_version BIGINT NOT NULL) ON COMMIT DROP", tx)
            .ExecuteNonQueryAsync(ct);

        var dates = new HashSet<DateOnly>();
        var times = new HashSet<TimeOnly>();
        var stores = new HashSet<int>();
        var products = new HashSet<int>();
        var rows = 0;
        await using (var my = await oltp.OpenAsync(ct))
        {
            await using (var reader = await OltpSource.ReadSalesAsync(my, SalesTsv.RowVersion(batch.IngestionNumber, batch.FirstLine),
                             SalesTsv.RowVersion(batch.IngestionNumber, batch.LastLine), ct))
            await using (var copy = await pg.BeginBinaryImportAsync(
                             "COPY fact_stage (transaction_id, date_id, time_id, store_id, product_id, transaction_qty, total_amount, row_version) " +
                             "FROM STDIN (FORMAT BINARY)", ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var date = reader.GetDateTime(1);
                    var time = reader.GetTimeSpan(2);
                    var store = reader.GetInt32(3);
                    var product = reader.GetInt32(4);
                    dates.Add(DateOnly.FromDateTime(date));
                    times.Add(TimeOnly.FromTimeSpan(time));
                    stores.Add(store);
                    products.Add(product);
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(reader.GetString(0), NpgsqlDbType.Text, ct);
                    await copy.WriteAsync(OlapSchema.DateId(date), NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(OlapSchema.TimeId(time), NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(store, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(product, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(reader.GetInt32(5), NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(reader.GetDecimal(6), NpgsqlDbType.Numeric, ct);
                    await copy.WriteAsync(reader.GetInt64(7), NpgsqlDbType.Bigint, ct);
                    rows++;
                }
                await copy.CompleteAsync(ct);
            }
            await Dimensions.UpsertStoresAsync(pg, tx, await OltpSource.StoresAsync(my, stores, ct), ct);
            await Dimensions.UpsertProductsAsync(pg, tx, await OltpSource.ProductsAsync(my, products, ct), ct);
        }
        await Dimensions.AddDatesAsync(pg, tx, dates, ct);
        await Dimensions.AddTimesAsync(pg, tx, times, ct);

        // A fact is replaced only by a newer version of it: batches of different ingestions may
        // arrive in any order.
        await pg.Command(
                """
                INSERT INTO fact_sales AS f (transaction_id, date_id, time_id, store_id, product_id, transaction_qty, total_amount, row_version)
                SELECT transaction_id, date_id, time_id, store_id, product_id, transaction_qty, total_amount, row_version FROM fact_stage
                ON CONFLICT (transaction_id) DO UPDATE SET
                  date_id = excluded.date_id, time_id = excluded.time_id, store_id = excluded.store_id, product_id = excluded.product_id,
                  transaction_qty = excluded.transaction_qty, total_amount = excluded.total_amount, row_version = excluded.row_version
                WHERE f.row_version < excluded.row_version
                """, tx)
            .ExecuteNonQueryAsync(ct);
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
}
