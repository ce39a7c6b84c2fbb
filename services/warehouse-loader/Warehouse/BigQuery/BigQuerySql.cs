using static CoffeeMesh.WarehouseLoader.Warehouse.BigQuery.BigQueryTables;

namespace CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;

/// <summary>
/// The warehouse's GoogleSQL. Table names come from validated options (<see cref="BigQueryOptions.Validate"/>) and
/// from <see cref="BigQueryJobIds"/> (hex); every value is a named parameter (<c>@name</c>).
/// </summary>
internal sealed class BigQuerySql(BigQueryOptions options)
{
    public string Table(string table) => $"`{options.ProjectId}.{options.DatasetId}.{table}`";

    // A version's key: a fingerprint of its attributes (JSON array of their text, so no separator is ambiguous).
    private static string StoreKey(string a) => $"FARM_FINGERPRINT(TO_JSON_STRING([CAST({a}.store_id AS STRING), {a}.store_location]))";

    private static string ProductKey(string a) =>
        $"FARM_FINGERPRINT(TO_JSON_STRING([CAST({a}.product_id AS STRING), {a}.product_category, {a}.product_type, {a}.product_detail, CAST({a}.unit_price AS STRING)]))";

    /// <summary>
    /// One object's merge, all or nothing: its dates, times and store and product versions that are missing; the
    /// versions' valid_from moved earlier when a sale predates it, and valid_to/is_current recomputed for the
    /// stores and products it names; its facts merged by transaction_id, an existing fact replaced only by a
    /// later (ingestion_number, sequence); and its loaded_object row unless present. Every statement leaves
    /// the tables as they are when run again, so a merge repeated under another job id changes nothing.
    /// Parameters: @object_key, @ingestion_id (STRING), @ingestion_number, @sequence, @batch_objects, @rows (INT64:
    /// the rows the load job wrote; the ASSERT refuses a staging table that lost them, e.g. expired and recreated).
    /// </summary>
    public string Merge(string stagingTable)
    {
        var s = Table(stagingTable);
        return $"""
            ASSERT (SELECT COUNT(*) FROM {s}) = @rows AS 'the staging table does not hold the rows its load job wrote';
            BEGIN TRANSACTION;
            INSERT INTO {Table(DimDate)} (date_id, transaction_date, day, month, year, weekday)
            SELECT CAST(FORMAT_DATE('%Y%m%d', d) AS INT64), d, EXTRACT(DAY FROM d), EXTRACT(MONTH FROM d), EXTRACT(YEAR FROM d), FORMAT_DATE('%A', d)
            FROM (SELECT DISTINCT transaction_date AS d FROM {s})
            WHERE NOT EXISTS (SELECT 1 FROM {Table(DimDate)} x WHERE x.transaction_date = d);
            INSERT INTO {Table(DimTime)} (time_id, transaction_time, hour, minute, second)
            SELECT CAST(FORMAT_TIME('%H%M%S', t) AS INT64), t, EXTRACT(HOUR FROM t), EXTRACT(MINUTE FROM t), EXTRACT(SECOND FROM t)
            FROM (SELECT DISTINCT transaction_time AS t FROM {s})
            WHERE NOT EXISTS (SELECT 1 FROM {Table(DimTime)} x WHERE x.transaction_time = t);
            MERGE {Table(DimStore)} v
            USING (SELECT store_id, store_location, MIN(transaction_date) AS first_sold FROM {s} GROUP BY store_id, store_location) n
            ON v.store_id = n.store_id AND v.store_location = n.store_location
            WHEN MATCHED AND n.first_sold < v.valid_from THEN UPDATE SET valid_from = n.first_sold
            WHEN NOT MATCHED THEN INSERT (store_key, store_id, store_location, valid_from, valid_to, is_current)
              VALUES ({StoreKey("n")}, n.store_id, n.store_location, n.first_sold, NULL, TRUE);
            UPDATE {Table(DimStore)} v SET valid_to = n.next_from, is_current = n.next_from IS NULL
            FROM (SELECT store_key, LEAD(valid_from) OVER (PARTITION BY store_id ORDER BY valid_from, store_key) AS next_from
                  FROM {Table(DimStore)} WHERE store_id IN (SELECT store_id FROM {s})) n
            WHERE v.store_key = n.store_key;
            MERGE {Table(DimProduct)} v
            USING (SELECT product_id, product_category, product_type, product_detail, unit_price, MIN(transaction_date) AS first_sold
                   FROM {s} GROUP BY product_id, product_category, product_type, product_detail, unit_price) n
            ON v.product_id = n.product_id AND v.product_category = n.product_category AND v.product_type = n.product_type
               AND v.product_detail = n.product_detail AND v.unit_price = n.unit_price
            WHEN MATCHED AND n.first_sold < v.valid_from THEN UPDATE SET valid_from = n.first_sold
            WHEN NOT MATCHED THEN INSERT (product_key, product_id, product_category, product_type, product_detail, unit_price, valid_from, valid_to, is_current)
              VALUES ({ProductKey("n")}, n.product_id, n.product_category, n.product_type, n.product_detail, n.unit_price, n.first_sold, NULL, TRUE);
            UPDATE {Table(DimProduct)} v SET valid_to = n.next_from, is_current = n.next_from IS NULL
            FROM (SELECT product_key, LEAD(valid_from) OVER (PARTITION BY product_id ORDER BY valid_from, product_key) AS next_from
                  FROM {Table(DimProduct)} WHERE product_id IN (SELECT product_id FROM {s})) n
            WHERE v.product_key = n.product_key;
            MERGE {Table(FactSales)} f
            USING (
              -- A transaction id twice in one object (cloud-publisher never writes that) would make the merge
              -- ambiguous: one of them is kept, the same one every time.
              SELECT * FROM {s} r
              QUALIFY ROW_NUMBER() OVER (PARTITION BY transaction_id ORDER BY transaction_date, transaction_time, store_id, product_id,
                transaction_qty, unit_price, store_location, product_category, product_type, product_detail) = 1) n
            ON f.transaction_id = n.transaction_id
            WHEN MATCHED AND (f.ingestion_number < @ingestion_number OR (f.ingestion_number = @ingestion_number AND f.sequence < @sequence)) THEN UPDATE SET
              transaction_date = n.transaction_date, date_id = CAST(FORMAT_DATE('%Y%m%d', n.transaction_date) AS INT64),
              time_id = CAST(FORMAT_TIME('%H%M%S', n.transaction_time) AS INT64), store_key = {StoreKey("n")}, store_id = n.store_id,
              product_key = {ProductKey("n")}, product_id = n.product_id, transaction_qty = n.transaction_qty, unit_price = n.unit_price,
              total_amount = n.transaction_qty * n.unit_price, ingestion_number = @ingestion_number, sequence = @sequence, object_key = @object_key
            WHEN NOT MATCHED THEN INSERT (transaction_id, transaction_date, date_id, time_id, store_key, store_id, product_key, product_id,
              transaction_qty, unit_price, total_amount, ingestion_number, sequence, object_key)
              VALUES (n.transaction_id, n.transaction_date, CAST(FORMAT_DATE('%Y%m%d', n.transaction_date) AS INT64),
              CAST(FORMAT_TIME('%H%M%S', n.transaction_time) AS INT64), {StoreKey("n")}, n.store_id, {ProductKey("n")}, n.product_id,
              n.transaction_qty, n.unit_price, n.transaction_qty * n.unit_price, @ingestion_number, @sequence, @object_key);
            INSERT INTO {Table(LoadedObjectTable)} (object_key, ingestion_id, sequence, batch_objects, `rows`, day, loaded_at)
            SELECT @object_key, @ingestion_id, @sequence, @batch_objects, @rows, (SELECT MIN(transaction_date) FROM {s}), CURRENT_TIMESTAMP()
            FROM UNNEST([1])
            WHERE NOT EXISTS (SELECT 1 FROM {Table(LoadedObjectTable)} WHERE object_key = @object_key);
            COMMIT TRANSACTION;
            """;
    }

    /// <summary>The load record of @object_key (the first, should two ever exist). Columns: see <see cref="LoadedObject"/>.</summary>
    public string Find() =>
        $"""
        SELECT object_key, ingestion_id, sequence, batch_objects, `rows`, loaded_at FROM {Table(LoadedObjectTable)}
        WHERE object_key = @object_key ORDER BY loaded_at LIMIT 1
        """;

    /// <summary>Per batch of @ingestion_id: sequence, objects loaded, objects the batch wrote, rows loaded.</summary>
    public string Count() =>
        $"""
        SELECT sequence, COUNT(*), MAX(batch_objects), SUM(`rows`)
        FROM (SELECT object_key, ANY_VALUE(sequence) AS sequence, ANY_VALUE(batch_objects) AS batch_objects, ANY_VALUE(`rows`) AS `rows`
              FROM {Table(LoadedObjectTable)} WHERE ingestion_id = @ingestion_id GROUP BY object_key)
        GROUP BY sequence ORDER BY sequence
        """;

    /// <summary>Per transaction date in [@from, @to]: rows, quantity, amount rounded to cents.</summary>
    public string DayTotals() =>
        $"""
        SELECT transaction_date, COUNT(*), SUM(transaction_qty), ROUND(SUM(total_amount), 2)
        FROM {Table(FactSales)} WHERE transaction_date BETWEEN @from AND @to
        GROUP BY transaction_date ORDER BY transaction_date
        """;

    /// <summary>Drops @day's facts and the load records of @day's objects, in one transaction.</summary>
    public string ForgetDay() =>
        $"""
        BEGIN TRANSACTION;
        DELETE FROM {Table(FactSales)} WHERE transaction_date = @day;
        DELETE FROM {Table(LoadedObjectTable)} WHERE day = @day;
        COMMIT TRANSACTION;
        """;
}
