using System.Text.Json.Nodes;
using CoffeeMesh.Contracts;

namespace CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;

/// <summary>
/// The warehouse's tables as tables.insert resources: the star schema of the old BigQuery pipeline (dim_date,
/// dim_time, dim_store, dim_product, fact_sales), the record of loaded objects, and the per-object staging
/// table a load job fills from the processed CSV.
/// </summary>
internal static class BigQueryTables
{
    public const string DimDate = "dim_date", DimTime = "dim_time", DimStore = "dim_store", DimProduct = "dim_product",
        FactSales = "fact_sales", LoadedObjectTable = "loaded_object";

    private static JsonObject Field(string name, string type, bool required = true) =>
        new() { ["name"] = name, ["type"] = type, ["mode"] = required ? "REQUIRED" : "NULLABLE" };

    /// <summary>
    /// The processed CSV's eleven columns in file order (<see cref="SalesColumns.All"/>), all required: an
    /// empty or mistyped cell fails the load job with reason "invalid".
    /// </summary>
    public static JsonArray ProcessedCsvFields() =>
    [
        Field(SalesColumns.TransactionId, "STRING"), Field(SalesColumns.TransactionDate, "DATE"), Field(SalesColumns.TransactionTime, "TIME"),
        Field(SalesColumns.TransactionQty, "INTEGER"), Field(SalesColumns.StoreId, "INTEGER"), Field(SalesColumns.StoreLocation, "STRING"),
        Field(SalesColumns.ProductId, "INTEGER"), Field(SalesColumns.UnitPrice, "NUMERIC"), Field(SalesColumns.ProductCategory, "STRING"),
        Field(SalesColumns.ProductType, "STRING"), Field(SalesColumns.ProductDetail, "STRING"),
    ];

    /// <summary>The permanent tables, each as (table id, its tables.insert body without tableReference).</summary>
    public static IEnumerable<(string Table, JsonObject Definition)> StarSchema()
    {
        // Smart keys, as in the PostgreSQL star schema: date_id = yyyymmdd, time_id = hhmmss.
        yield return (DimDate, Table(Field("date_id", "INTEGER"), Field("transaction_date", "DATE"), Field("day", "INTEGER"),
            Field("month", "INTEGER"), Field("year", "INTEGER"), Field("weekday", "STRING")));
        yield return (DimTime, Table(Field("time_id", "INTEGER"), Field("transaction_time", "TIME"), Field("hour", "INTEGER"),
            Field("minute", "INTEGER"), Field("second", "INTEGER")));
        // Versions (slowly changing dimensions, type 2), keyed by a fingerprint of the version's attributes, so
        // every load derives a sale's version key from the sale alone. valid_to is the next version's valid_from.
        yield return (DimStore, Table(Field("store_key", "INTEGER"), Field("store_id", "INTEGER"), Field("store_location", "STRING"),
            Field("valid_from", "DATE"), Field("valid_to", "DATE", required: false), Field("is_current", "BOOLEAN")));
        yield return (DimProduct, Table(Field("product_key", "INTEGER"), Field("product_id", "INTEGER"), Field("product_category", "STRING"),
            Field("product_type", "STRING"), Field("product_detail", "STRING"), Field("unit_price", "NUMERIC"),
            Field("valid_from", "DATE"), Field("valid_to", "DATE", required: false), Field("is_current", "BOOLEAN")));
        var facts = Table(Field("transaction_id", "STRING"), Field("transaction_date", "DATE"), Field("date_id", "INTEGER"), Field("time_id", "INTEGER"),
            Field("store_key", "INTEGER"), Field("store_id", "INTEGER"), Field("product_key", "INTEGER"), Field("product_id", "INTEGER"),
            Field("transaction_qty", "INTEGER"), Field("unit_price", "NUMERIC"), Field("total_amount", "NUMERIC"),
            Field("ingestion_number", "INTEGER"), Field("sequence", "INTEGER"), Field("object_key", "STRING"));
        // Day partitions: a day's totals and a day's repair read and delete one partition; clustering by
        // transaction_id narrows the merge's lookups.
        facts["timePartitioning"] = new JsonObject { ["type"] = "DAY", ["field"] = "transaction_date" };
        facts["clustering"] = new JsonObject { ["fields"] = new JsonArray("transaction_id") };
        yield return (FactSales, facts);
        // day: the date of the object's rows (cloud-publisher writes one object per date), for ForgetDay.
        yield return (LoadedObjectTable, Table(Field("object_key", "STRING"), Field("ingestion_id", "STRING"), Field("sequence", "INTEGER"),
            Field("batch_objects", "INTEGER"), Field("rows", "INTEGER"), Field("day", "DATE", required: false), Field("loaded_at", "TIMESTAMP")));
    }

    /// <summary>A staging table for one object: the CSV's columns, expiring at <paramref name="expires"/> if never dropped.</summary>
    public static JsonObject Staging(DateTimeOffset expires)
    {
        var table = new JsonObject { ["schema"] = new JsonObject { ["fields"] = ProcessedCsvFields() } };
        table["expirationTime"] = expires.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return table;
    }

    private static JsonObject Table(params JsonNode[] fields) => new() { ["schema"] = new JsonObject { ["fields"] = new JsonArray(fields) } };
}
