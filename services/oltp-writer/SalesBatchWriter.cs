using System.Data.Common;
using System.Diagnostics;
using System.Text;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Inbox;
using CoffeeMesh.Messaging.Outbox;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.Messaging.Telemetry;
using MySqlConnector;

namespace CoffeeMesh.OltpWriter;

/// <summary>
/// Writes one clean batch in one MySQL transaction: the versions of the stores and products its
/// sales carry (<see cref="DimensionVersions"/>), a bulk load into sales (through a staging table
/// and one set-based upsert when some ids are already stored), its quarantined rows, the batch
/// record, the inbox entry and the outbox "stored" event. Either all of it commits or none of it does.
/// </summary>
public sealed class SalesBatchWriter(ServiceStore store, Inbox inbox, Outbox outbox)
{
    public const string ConsumerName = "oltp-writer";

    /// <summary>This process, as recorded on the batches it stores (host name and pid).</summary>
    public static readonly string Instance = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <returns>false when the batch had already been written (a duplicate delivery).</returns>
    /// <remarks>
    /// Rows MySQL refuses although transform's rules let them through are quarantined as
    /// <c>store_rejected</c> (<see cref="RejectedRows"/>) and the rest stored; what is not a row's
    /// fault (a malformed message, a store that is away) throws, for the retries and then the
    /// error queue.
    /// </remarks>
    public async Task<bool> WriteAsync(CleanSalesBatch batch, Guid messageId, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return Counted(await WriteOnceAsync(batch, messageId, ct), 0);
        }
        catch (StoreRejectedException)
        {
            var rejected = await RejectedRows.FindAsync(store, batch, ct);
            // Rows are at fault when some are refused; when all are, the batch or the table is: the error queue says so.
            if (rejected.Count == 0 || rejected.Count == batch.SalesCount) throw;
            return Counted(await WriteOnceAsync(RejectedRows.Without(batch, rejected), messageId, ct), rejected.Count);
        }

        bool Counted(bool written, int refused)
        {
            if (written) PipelineMetrics.BatchDone("oltp-writer", batch.SalesCount, batch.SalesCount - refused, refused, started);
            return written;
        }
    }

    private async Task<bool> WriteOnceAsync(CleanSalesBatch batch, Guid messageId, CancellationToken ct)
    {
        using var activity = MessagingDiagnostics.ActivitySource.StartActivity("oltp-writer store batch");
        activity?.SetTag("coffeemesh.ingestion_id", batch.IngestionId).SetTag("coffeemesh.sequence", batch.Sequence)
            .SetTag("coffeemesh.rows", batch.SalesCount).SetTag("coffeemesh.quarantined", batch.Quarantined.Count);
        await using var connection = (MySqlConnection)await store.OpenAsync(ct);
        // READ COMMITTED: the batch's locking reads lock the rows they read, not the gaps around
        // them, so writers changing different stores or products never block one another.
        await using var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);
        if (!await inbox.TryAcceptAsync(connection, tx, ConsumerName, messageId, ct))
        {
            await tx.RollbackAsync(ct);
            return false;
        }
        var now = DateTime.UtcNow;

        var newTransactionsOnly = true;
        if (batch.SalesCount > 0)
        {
            if (batch.Stores.Count == 0 || batch.Products.Count == 0)
                throw new InvalidDataException($"batch {batch.IngestionId}/{batch.Sequence} has {batch.SalesCount} sales and no store or product runs to refer to");
            if (SalesTsv.FieldCount(batch.Sales) is var fields && fields != SalesTsv.Columns.Length)
                throw new InvalidDataException(
                    $"batch {batch.IngestionId}/{batch.Sequence} has sales of {fields} fields where this writer reads {SalesTsv.Columns.Length}: " +
                    "a message of another version of transform (replay it through transform, or with a writer of its version)");
            // Stores before products, each in ascending order: writers that lock both lock them in one order.
            var keys = new VersionKeys(
                await DimensionVersions.KeysAsync(connection, tx, DimensionVersions.Stores,
                    batch.Stores.Select(s => new DimensionVersions.Run(s.StoreId, [s.StoreLocation], s.FirstSoldAt, s.FirstRowVersion)).ToList(),
                    batch.IngestionId, now, ct),
                await DimensionVersions.KeysAsync(connection, tx, DimensionVersions.Products,
                    batch.Products.Select(p => new DimensionVersions.Run(p.ProductId, [p.ProductCategory, p.ProductType, p.ProductDetail, p.UnitPrice],
                        p.FirstSoldAt, p.FirstRowVersion)).ToList(),
                    batch.IngestionId, now, ct));
            var tsv = Encoding.UTF8.GetBytes(batch.Sales);
            // Most batches bring only new transactions: they are loaded straight into sales, and a
            // row whose id is already there is skipped (IGNORE). Only a batch that skipped some goes
            // through the staging table, where the newer row_version of each id wins.
            var loaded = await LoadAsync(connection, tx, "sales", ignoreDuplicates: true, tsv, keys, batch, ct);
            if (loaded < batch.SalesCount)
            {
                newTransactionsOnly = false;
                await EmptyStageAsync(connection, tx, ct);
                await LoadAsync(connection, tx, "sales_stage", ignoreDuplicates: false, tsv, keys, batch, ct);
                await UpsertFromStageAsync(connection, tx, ct);
            }
        }

        await QuarantineAsync(connection, tx, batch, now, ct);
        await connection.Command(
                """
                INSERT INTO ingestion_batch (ingestion_id, sequence, ingestion_number, rows_read, accepted, superseded, quarantined, out_of_range, stored_at, stored_by)
                VALUES (@id, @seq, @number, @read, @accepted, @superseded, @quarantined, @oor, @now, @by)
                """, tx)
            .With("@id", batch.IngestionId).With("@seq", batch.Sequence).With("@number", batch.IngestionNumber).With("@read", batch.RowsRead)
            .With("@accepted", batch.SalesCount + batch.Superseded).With("@superseded", batch.Superseded)
            .With("@quarantined", batch.Quarantined.Count).With("@oor", batch.OutOfRange).With("@now", now).With("@by", Instance)
            .ExecuteNonQueryAsync(ct);

        var stored = new SalesBatchStored
        {
            IngestionId = batch.IngestionId,
            Sequence = batch.Sequence,
            IngestionNumber = batch.IngestionNumber,
            FirstLine = batch.FirstLine,
            LastLine = batch.LastLine,
            RowsRead = batch.RowsRead,
            RowsStored = batch.SalesCount,
            Quarantined = batch.Quarantined.Count,
            OutOfRange = batch.OutOfRange,
            Superseded = batch.Superseded,
            QuarantinedByReason = batch.Quarantined.SelectMany(q => q.Reasons).GroupBy(r => r.Code).ToDictionary(g => g.Key, g => g.Count()),
            NewTransactionsOnly = newTransactionsOnly,
        };
        await outbox.AddAsync(connection, tx, stored, MessageIds.For("stored", batch.IngestionId, batch.Sequence), ct);
        await tx.CommitAsync(ct);
        outbox.Committed();
        return true;
    }

    /// <summary>
    /// LOAD DATA of the batch's TSV into a table; returns the rows inserted. A LOCAL load turns a bad
    /// value (a zero date, a truncated id) into a warning instead of an error, and IGNORE turns a
    /// duplicate id into one: every warning beyond the skipped duplicates refuses the batch, rather
    /// than store a silently altered row.
    /// </summary>
    private static async Task<long> LoadAsync(MySqlConnection connection, DbTransaction tx, string table, bool ignoreDuplicates,
        byte[] tsv, VersionKeys keys, CleanSalesBatch batch, CancellationToken ct)
    {
        await using var data = new MemoryStream(tsv, writable: false);
        var loader = new MySqlBulkLoader(connection)
        {
            TableName = table,
            Local = true,
            SourceStream = data,
            FieldTerminator = "\t",
            LineTerminator = "\n",
            EscapeCharacter = '\\',
            CharacterSet = "utf8mb4",
            ConflictOption = ignoreDuplicates ? MySqlBulkLoaderConflictOption.Ignore : MySqlBulkLoaderConflictOption.None,
        };
        loader.Columns.AddRange(SalesTsv.Columns);
        // A sale's run index becomes its version's key; the keys are numbers read from our own tables.
        loader.Expressions.Add($"store_key = ELT(@store_ref + 1, {string.Join(',', keys.Stores)})");
        loader.Expressions.Add($"product_key = ELT(@product_ref + 1, {string.Join(',', keys.Products)})");
        long loaded = await loader.LoadAsync(ct);
        var warnings = Convert.ToInt64(await connection.Command("SHOW COUNT(*) WARNINGS", tx).ExecuteScalarAsync(ct));
        var skipped = batch.SalesCount - loaded;
        if (warnings != skipped || (!ignoreDuplicates && skipped != 0))
            throw new StoreRejectedException(
                $"batch {batch.IngestionId}/{batch.Sequence}: LOAD DATA into {table} took {loaded} of {batch.SalesCount} rows with {warnings} warnings");
        return loaded;
    }

    /// <summary>
    /// A temporary table lives per connection, and creating one commits nothing; MEMORY skips the
    /// redo and undo logging a throwaway copy does not need. A pooled connection may still hold the
    /// table from an earlier batch (DELETE, not TRUNCATE: TRUNCATE may commit).
    /// </summary>
    private static Task<int> EmptyStageAsync(MySqlConnection connection, DbTransaction tx, CancellationToken ct) =>
        connection.Command("CREATE TEMPORARY TABLE IF NOT EXISTS sales_stage (" +
                           "transaction_id VARCHAR(40) NOT NULL, transaction_date DATE NOT NULL, transaction_time TIME NOT NULL, " +
                           "transaction_qty INT NOT NULL, store_id INT NOT NULL, product_id INT NOT NULL, unit_price DECIMAL(12,2) NOT NULL, " +
                           "total_amount DECIMAL(14,2) NOT NULL, row_version BIGINT NOT NULL, store_key INT UNSIGNED NOT NULL, product_key INT UNSIGNED NOT NULL) ENGINE=MEMORY; " +
                           "DELETE FROM sales_stage", tx)
            .ExecuteNonQueryAsync(ct);

    /// <summary>
    /// Every column is replaced only by a newer row_version; row_version itself goes last because
    /// MySQL evaluates the assignments left to right. Rows this batch has just inserted match
    /// themselves and are left as they are.
    /// </summary>
    private static Task<int> UpsertFromStageAsync(MySqlConnection connection, DbTransaction tx, CancellationToken ct) =>
        connection.Command(
                """
                INSERT INTO sales (transaction_id, transaction_date, transaction_time, transaction_qty, store_id, product_id,
                                   unit_price, total_amount, store_key, product_key, row_version)
                SELECT transaction_id, transaction_date, transaction_time, transaction_qty, store_id, product_id,
                       unit_price, total_amount, store_key, product_key, row_version
                FROM sales_stage
                ON DUPLICATE KEY UPDATE
                  transaction_date = IF(VALUES(row_version) >= sales.row_version, VALUES(transaction_date), sales.transaction_date),
                  transaction_time = IF(VALUES(row_version) >= sales.row_version, VALUES(transaction_time), sales.transaction_time),
                  transaction_qty  = IF(VALUES(row_version) >= sales.row_version, VALUES(transaction_qty), sales.transaction_qty),
                  store_id         = IF(VALUES(row_version) >= sales.row_version, VALUES(store_id), sales.store_id),
                  product_id       = IF(VALUES(row_version) >= sales.row_version, VALUES(product_id), sales.product_id),
                  unit_price       = IF(VALUES(row_version) >= sales.row_version, VALUES(unit_price), sales.unit_price),
                  total_amount     = IF(VALUES(row_version) >= sales.row_version, VALUES(total_amount), sales.total_amount),
                  store_key        = IF(VALUES(row_version) >= sales.row_version, VALUES(store_key), sales.store_key),
                  product_key      = IF(VALUES(row_version) >= sales.row_version, VALUES(product_key), sales.product_key),
                  row_version      = GREATEST(sales.row_version, VALUES(row_version))
                """, tx)
            .ExecuteNonQueryAsync(ct);

    private static async Task QuarantineAsync(MySqlConnection c, DbTransaction tx, CleanSalesBatch batch, DateTime now, CancellationToken ct)
    {
        if (batch.Quarantined.Count == 0) return;
        await InsertValuesAsync(c, tx, batch.Quarantined,
            "INSERT INTO quarantined_row (ingestion_id, source_line, raw_line, quarantined_at) VALUES ",
            "(@id, @l{0}, @r{0}, @now)",
            " ON DUPLICATE KEY UPDATE raw_line = VALUES(raw_line)",
            (cmd, i, q) => cmd.With($"@l{i}", q.Line).With($"@r{i}", q.Raw), now, ct, batch.IngestionId);
        var reasons = batch.Quarantined
            .SelectMany(q => q.Reasons.Select((r, n) => (q.Line, No: n, r.Code, Detail: r.Detail.Length > 512 ? r.Detail[..512] : r.Detail)))
            .ToList();
        await InsertValuesAsync(c, tx, reasons,
            "INSERT INTO quarantine_reason (ingestion_id, source_line, reason_no, reason, detail) VALUES ",
            "(@id, @l{0}, @n{0}, @c{0}, @d{0})",
            " ON DUPLICATE KEY UPDATE reason = VALUES(reason), detail = VALUES(detail)",
            (cmd, i, r) => cmd.With($"@l{i}", r.Line).With($"@n{i}", r.No).With($"@c{i}", r.Code).With($"@d{i}", r.Detail), now, ct, batch.IngestionId);
    }

    /// <summary>Multi-row parameterised INSERTs, in chunks that stay under MySQL's placeholder limit.</summary>
    private static async Task InsertValuesAsync<T>(MySqlConnection c, DbTransaction tx, IReadOnlyList<T> items, string head, string rowTemplate,
        string tail, Action<DbCommand, int, T> bind, DateTime now, CancellationToken ct, Guid? ingestionId = null)
    {
        const int chunk = 500;
        for (var start = 0; start < items.Count; start += chunk)
        {
            var count = Math.Min(chunk, items.Count - start);
            var sql = new StringBuilder(head);
            var command = c.Command("", tx).With("@now", now);
            if (ingestionId is { } id) command.With("@id", id);
            for (var i = 0; i < count; i++)
            {
                if (i > 0) sql.Append(',');
                sql.AppendFormat(rowTemplate, i);
                bind(command, i, items[start + i]);
            }
            command.CommandText = sql.Append(tail).ToString();
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}

/// <summary>The version key of each store run and product run of a batch, by run index.</summary>
internal sealed record VersionKeys(long[] Stores, long[] Products);
