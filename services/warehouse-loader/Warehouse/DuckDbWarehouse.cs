using System.Data.Common;
using CoffeeMesh.Contracts;
using DuckDB.NET.Data;

namespace CoffeeMesh.WarehouseLoader.Warehouse;

/// <summary>
/// The embedded warehouse: a DuckDB file (Warehouse:DuckDbPath). One process owns the file, so this target
/// runs one loader replica; loads are serialised inside it (DuckDB allows one writer), reads run beside them.
/// An object's rows go through DuckDB's CSV reader into a staging table, then into the star schema in one
/// transaction with the object's load record.
/// </summary>
public sealed class DuckDbWarehouse(string path, ILogger<DuckDbWarehouse> logger) : IWarehouse, IDisposable
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly string _connectionString = $"Data Source={path}";
    // Held open for the warehouse's lifetime: while one connection is open the database stays open, so the
    // others are cheap; closing the last one would checkpoint and reopen the whole file on every load.
    private DuckDBConnection? _keeper;

    /// <inheritdoc />
    public async Task EnsureSchemaAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _keeper ??= await OpenAsync(ct);
        await using var c = await OpenAsync(ct);
        foreach (var statement in DuckDbSchema.Statements)
            await Command(c, statement).ExecuteNonQueryAsync(ct);
    }

    /// <inheritdoc />
    public async Task<LoadedObject?> FindAsync(string objectKey, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        return await FindAsync(c, objectKey, ct);
    }

    /// <inheritdoc />
    public async Task<LoadedObject> LoadAsync(ProcessedObject processed, Func<CancellationToken, Task<Stream>> content, CancellationToken ct)
    {
        await using var source = await content(ct);
        // A download into a local file is read where it lies; any other stream is copied to one first.
        var copy = source is FileStream { CanSeek: true } ? null : Path.Combine(Path.GetTempPath(), $"coffeemesh-load-{Guid.NewGuid():N}.csv");
        var file = copy ?? ((FileStream)source).Name;
        try
        {
            if (copy is not null)
                await using (var target = File.Create(copy))
                    await source.CopyToAsync(target, ct);
            else
                await source.FlushAsync(ct);
            CheckHeader(file);

            // Group commit: whoever holds the writer loads every object queued meanwhile in one transaction (a
            // load's cost is mostly per transaction). Once queued, the file stays until its load is done.
            var pending = new PendingLoad(processed, file);
            lock (_queue) _queue.Add(pending);
            await _writer.WaitAsync(CancellationToken.None);
            try
            {
                if (!pending.Done.Task.IsCompleted)
                {
                    List<PendingLoad> group;
                    lock (_queue)
                    {
                        group = _queue.Take(MaxGroup).ToList();
                        _queue.RemoveRange(0, group.Count);
                    }
                    if (!group.Contains(pending)) { group.Add(pending); lock (_queue) _queue.Remove(pending); }
                    await LoadGroupAsync(group);
                }
            }
            finally
            {
                _writer.Release();
            }
            return await pending.Done.Task;
        }
        finally
        {
            if (copy is not null) File.Delete(copy);
        }
    }

    /// <summary>Most objects loaded in one transaction.</summary>
    private const int MaxGroup = 32;
    private readonly List<PendingLoad> _queue = [];

    private sealed record PendingLoad(ProcessedObject Object, string File)
    {
        public TaskCompletionSource<LoadedObject> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    // Loads a group in one transaction; when that fails on content, each object alone, so one bad object
    // fails only its own load. Completes every item's Done.
    private async Task LoadGroupAsync(List<PendingLoad> group)
    {
        try
        {
            await using var c = await OpenAsync(CancellationToken.None);
            var todo = new List<PendingLoad>();
            foreach (var item in group)
                if (await FindAsync(c, item.Object.Key, CancellationToken.None) is { } earlier) item.Done.TrySetResult(earlier);
                else if (todo.FirstOrDefault(t => t.Object.Key == item.Object.Key) is { } same) _ = same.Done.Task.ContinueWith(t => Mirror(t, item));
                else todo.Add(item);
            if (todo.Count == 0) return;
            try
            {
                await LoadFilesAsync(c, todo);
            }
            catch (InvalidDataException) when (todo.Count > 1)
            {
                foreach (var item in todo)
                {
                    try { await LoadFilesAsync(c, [item]); }
                    catch (Exception e) { item.Done.TrySetException(e); }
                }
            }
            foreach (var item in todo)
                if (!item.Done.Task.IsCompleted)
                    item.Done.TrySetResult(await FindAsync(c, item.Object.Key, CancellationToken.None)
                                           ?? throw new InvalidOperationException($"{item.Object.Key} committed but not found"));
        }
        catch (Exception e)
        {
            foreach (var item in group) item.Done.TrySetException(e);
        }
    }

    private static void Mirror(Task<LoadedObject> from, PendingLoad to)
    {
        if (from.IsCompletedSuccessfully) to.Done.TrySetResult(from.Result);
        else to.Done.TrySetException(from.Exception?.InnerExceptions ?? [new OperationCanceledException()]);
    }

    private async Task LoadFilesAsync(DuckDBConnection c, IReadOnlyList<PendingLoad> items)
    {
        await Command(c, "DROP TABLE IF EXISTS staging").ExecuteNonQueryAsync();
        var select = string.Join(" UNION ALL ", items.Select((_, i) =>
            $"""
            SELECT *, {i} AS object_index FROM read_csv($file{i}, header = true, delim = ',', quote = '"', escape = '"', auto_detect = false, strict_mode = true,
              dateformat = '%Y-%m-%d',
              columns = {'{'}'transaction_id': 'VARCHAR', 'transaction_date': 'DATE', 'transaction_time': 'TIME', 'transaction_qty': 'INTEGER',
                         'store_id': 'INTEGER', 'store_location': 'VARCHAR', 'product_id': 'INTEGER', 'unit_price': 'DECIMAL(12,2)',
                         'product_category': 'VARCHAR', 'product_type': 'VARCHAR', 'product_detail': 'VARCHAR'{'}'})
            """));
        var create = Command(c, "CREATE TEMP TABLE staging AS " + select);
        for (var i = 0; i < items.Count; i++) create.With($"file{i}", items[i].File);
        try
        {
            await create.ExecuteNonQueryAsync();
        }
        catch (DuckDBException e) when (e.Message.StartsWith("Invalid Input Error", StringComparison.Ordinal)
                                        || e.Message.StartsWith("Conversion Error", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{string.Join(", ", items.Select(x => x.Object.Key))}: not processed CSV: {e.Message}", e);
        }

        await using var tx = await c.BeginTransactionAsync();
        // Which object each staged row came from: its ingestion number, batch and key.
        await Command(c, "CREATE OR REPLACE TEMP TABLE staging_object (object_index INTEGER, ingestion_number BIGINT, sequence INTEGER, object_key VARCHAR)", tx)
            .ExecuteNonQueryAsync();
        for (var i = 0; i < items.Count; i++)
            await Command(c, "INSERT INTO staging_object VALUES ($i, $number, $sequence, $object)", tx)
                .With("i", i).With("number", items[i].Object.IngestionNumber).With("sequence", items[i].Object.Sequence).With("object", items[i].Object.Key)
                .ExecuteNonQueryAsync();
        foreach (var statement in LoadStatements)
            await Command(c, statement, tx).ExecuteNonQueryAsync();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < items.Count; i++)
        {
            var o = items[i].Object;
            await Command(c,
                    """
                    INSERT INTO loaded_object (object_key, ingestion_id, sequence, batch_objects, row_count, first_date, last_date, loaded_at)
                    SELECT $object, $ingestion, $sequence, $objects, COUNT(*), MIN(transaction_date), MAX(transaction_date), $now FROM staging WHERE object_index = $i
                    """, tx)
                .With("object", o.Key).With("ingestion", o.IngestionId).With("sequence", o.Sequence)
                .With("objects", o.BatchObjects).With("now", now.UtcDateTime).With("i", i)
                .ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        await Command(c, "DROP TABLE IF EXISTS staging").ExecuteNonQueryAsync();
        logger.LogDebug("Loaded {Objects} objects in one transaction", items.Count);
    }

    // The star schema's share of the staged objects, in order: dates, new store and product versions (an existing
    // version's first sale may move earlier), their valid_to/is_current, then the facts.
    private static readonly string[] LoadStatements =
    [
        """
        INSERT OR IGNORE INTO dim_date
        SELECT DISTINCT year(transaction_date) * 10000 + month(transaction_date) * 100 + day(transaction_date), transaction_date,
               day(transaction_date), month(transaction_date), year(transaction_date), dayname(transaction_date)
        FROM staging
        """,
        """
        INSERT INTO dim_store (store_key, store_id, store_location, valid_from, valid_to, is_current)
        SELECT (SELECT COALESCE(MAX(store_key), 0) FROM dim_store) + row_number() OVER (ORDER BY n.store_id, n.store_location),
               n.store_id, n.store_location, n.first_sale, NULL, TRUE
        FROM (SELECT store_id, store_location, MIN(transaction_date) AS first_sale FROM staging GROUP BY ALL) n
        WHERE NOT EXISTS (SELECT 1 FROM dim_store d WHERE d.store_id = n.store_id AND d.store_location = n.store_location)
        """,
        """
        UPDATE dim_store SET valid_from = n.first_sale
        FROM (SELECT store_id, store_location, MIN(transaction_date) AS first_sale FROM staging GROUP BY ALL) n
        WHERE dim_store.store_id = n.store_id AND dim_store.store_location = n.store_location AND n.first_sale < dim_store.valid_from
        """,
        """
        UPDATE dim_store SET valid_to = v.next_from, is_current = v.next_from IS NULL
        FROM (SELECT store_key, LEAD(valid_from) OVER (PARTITION BY store_id ORDER BY valid_from, store_key) AS next_from
              FROM dim_store WHERE store_id IN (SELECT store_id FROM staging)) v
        WHERE dim_store.store_key = v.store_key
          AND (dim_store.valid_to IS DISTINCT FROM v.next_from OR dim_store.is_current <> (v.next_from IS NULL))
        """,
        """
        INSERT INTO dim_product (product_key, product_id, product_category, product_type, product_detail, unit_price, valid_from, valid_to, is_current)
        SELECT (SELECT COALESCE(MAX(product_key), 0) FROM dim_product)
                 + row_number() OVER (ORDER BY n.product_id, n.product_category, n.product_type, n.product_detail, n.unit_price),
               n.product_id, n.product_category, n.product_type, n.product_detail, n.unit_price, n.first_sale, NULL, TRUE
        FROM (SELECT product_id, product_category, product_type, product_detail, unit_price, MIN(transaction_date) AS first_sale FROM staging GROUP BY ALL) n
        WHERE NOT EXISTS (SELECT 1 FROM dim_product d WHERE d.product_id = n.product_id AND d.product_category = n.product_category
                          AND d.product_type = n.product_type AND d.product_detail = n.product_detail AND d.unit_price = n.unit_price)
        """,
        """
        UPDATE dim_product SET valid_from = n.first_sale
        FROM (SELECT product_id, product_category, product_type, product_detail, unit_price, MIN(transaction_date) AS first_sale FROM staging GROUP BY ALL) n
        WHERE dim_product.product_id = n.product_id AND dim_product.product_category = n.product_category AND dim_product.product_type = n.product_type
          AND dim_product.product_detail = n.product_detail AND dim_product.unit_price = n.unit_price AND n.first_sale < dim_product.valid_from
        """,
        """
        UPDATE dim_product SET valid_to = v.next_from, is_current = v.next_from IS NULL
        FROM (SELECT product_key, LEAD(valid_from) OVER (PARTITION BY product_id ORDER BY valid_from, product_key) AS next_from
              FROM dim_product WHERE product_id IN (SELECT product_id FROM staging)) v
        WHERE dim_product.product_key = v.product_key
          AND (dim_product.valid_to IS DISTINCT FROM v.next_from OR dim_product.is_current <> (v.next_from IS NULL))
        """,
        """
        INSERT INTO fact_sales (transaction_id, date_id, time_id, store_key, product_key, store_id, product_id, transaction_qty, unit_price, total_amount,
                                ingestion_number, sequence, object_key)
        SELECT s.transaction_id,
               year(s.transaction_date) * 10000 + month(s.transaction_date) * 100 + day(s.transaction_date),
               hour(s.transaction_time) * 10000 + minute(s.transaction_time) * 100 + second(s.transaction_time),
               ds.store_key, dp.product_key, s.store_id, s.product_id, s.transaction_qty, s.unit_price,
               CAST(s.transaction_qty * s.unit_price AS DECIMAL(14,2)), o.ingestion_number, o.sequence, o.object_key
        FROM staging s
        JOIN staging_object o ON o.object_index = s.object_index
        JOIN dim_store ds ON ds.store_id = s.store_id AND ds.store_location = s.store_location
        JOIN dim_product dp ON dp.product_id = s.product_id AND dp.product_category = s.product_category AND dp.product_type = s.product_type
                           AND dp.product_detail = s.product_detail AND dp.unit_price = s.unit_price
        -- A transaction in two objects of one group: only its latest copy (an upsert cannot touch a row twice).
        QUALIFY row_number() OVER (PARTITION BY s.transaction_id ORDER BY o.ingestion_number DESC, o.sequence DESC) = 1
        ON CONFLICT (transaction_id) DO UPDATE SET
          date_id = excluded.date_id, time_id = excluded.time_id, store_key = excluded.store_key, product_key = excluded.product_key,
          store_id = excluded.store_id, product_id = excluded.product_id, transaction_qty = excluded.transaction_qty,
          unit_price = excluded.unit_price, total_amount = excluded.total_amount,
          ingestion_number = excluded.ingestion_number, sequence = excluded.sequence, object_key = excluded.object_key
        WHERE excluded.ingestion_number > fact_sales.ingestion_number
           OR (excluded.ingestion_number = fact_sales.ingestion_number AND excluded.sequence >= fact_sales.sequence)
        """,
    ];

    /// <inheritdoc />
    public async Task<IReadOnlyList<LoadedBatch>> CountAsync(Guid ingestionId, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var r = await Command(c,
                "SELECT sequence, COUNT(*), MAX(batch_objects), CAST(SUM(row_count) AS BIGINT) FROM loaded_object WHERE ingestion_id = $id GROUP BY sequence ORDER BY sequence")
            .With("id", ingestionId).ExecuteReaderAsync(ct);
        var batches = new List<LoadedBatch>();
        while (await r.ReadAsync(ct))
            batches.Add(new LoadedBatch(r.GetInt32(0), Convert.ToInt32(r.GetValue(1)), r.GetInt32(2), Convert.ToInt64(r.GetValue(3))));
        return batches;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<DayTotals>> DayTotalsAsync(DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var c = await OpenAsync(ct);
        await using var r = await Command(c,
                """
                SELECT d.transaction_date, COUNT(*), CAST(SUM(f.transaction_qty) AS BIGINT), SUM(f.total_amount)
                FROM fact_sales f JOIN dim_date d ON d.date_id = f.date_id
                WHERE f.date_id BETWEEN $from AND $to
                GROUP BY d.transaction_date ORDER BY d.transaction_date
                """)
            .With("from", DateId(from)).With("to", DateId(to)).ExecuteReaderAsync(ct);
        var days = new List<DayTotals>();
        while (await r.ReadAsync(ct))
            days.Add(new DayTotals(DateOnly.FromDateTime(r.GetDateTime(0)), Convert.ToInt64(r.GetValue(1)), Convert.ToInt64(r.GetValue(2)),
                Convert.ToDecimal(r.GetValue(3))));
        return days;
    }

    /// <inheritdoc />
    public async Task ForgetDayAsync(DateOnly day, CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        try
        {
            await using var c = await OpenAsync(ct);
            await using var tx = await c.BeginTransactionAsync(ct);
            await Command(c, "DELETE FROM fact_sales WHERE date_id = $day", tx).With("day", DateId(day)).ExecuteNonQueryAsync(ct);
            await Command(c, "DELETE FROM loaded_object WHERE $date BETWEEN first_date AND last_date", tx)
                .With("date", day.ToDateTime(TimeOnly.MinValue)).ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }
        finally
        {
            _writer.Release();
        }
    }

    private static int DateId(DateOnly d) => d.Year * 10000 + d.Month * 100 + d.Day;

    private static async Task<LoadedObject?> FindAsync(DuckDBConnection c, string key, CancellationToken ct)
    {
        await using var r = await Command(c, "SELECT ingestion_id, sequence, batch_objects, row_count, loaded_at FROM loaded_object WHERE object_key = $key")
            .With("key", key).ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new LoadedObject(key, r.GetGuid(0), r.GetInt32(1), r.GetInt32(2), r.GetInt64(3),
            new DateTimeOffset(DateTime.SpecifyKind(Convert.ToDateTime(r.GetValue(4)), DateTimeKind.Utc)));
    }

    // The header must be the processed CSV's, in its order: the reader maps columns by position.
    private static void CheckHeader(string file)
    {
        using var reader = new StreamReader(file);
        var header = reader.ReadLine();
        var expected = string.Join(',', SalesColumns.All);
        if (header != expected)
            throw new InvalidDataException($"not processed CSV: the header is '{Shorten(header)}', expected '{expected}'");
    }

    private static string Shorten(string? s) => s is null ? "(empty)" : s.Length <= 200 ? s : s[..200] + "…";

    private async Task<DuckDBConnection> OpenAsync(CancellationToken ct)
    {
        var c = new DuckDBConnection(_connectionString);
        await c.OpenAsync(ct);
        return c;
    }

    private static DuckDBCommand Command(DuckDBConnection c, string sql, DbTransaction? tx = null)
    {
        var command = c.CreateCommand();
        command.CommandText = sql;
        if (tx is not null) command.Transaction = (DuckDBTransaction)tx;
        return command;
    }

    public void Dispose()
    {
        _keeper?.Dispose();
        _writer.Dispose();
    }
}

internal static class DuckDbCommandExtensions
{
    /// <summary>Adds a named parameter (<c>$name</c> in the SQL).</summary>
    public static DuckDBCommand With(this DuckDBCommand command, string name, object? value)
    {
        command.Parameters.Add(new DuckDBParameter(name, value ?? DBNull.Value));
        return command;
    }
}
