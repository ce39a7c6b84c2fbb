using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CoffeeMesh.Contracts;
using CoffeeMesh.Ingest.Reading;
using CoffeeMesh.Transform.Cleaning;
using MySqlConnector;
using Npgsql;

namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>
/// Count and SHA-256 of sales rows in one canonical text form, computed either from a source file
/// (read and cleaned in-process with the production rules) or from what MySQL holds.
/// </summary>
public static class SalesChecksum
{
    public static string Line(string id, DateOnly date, TimeOnly time, int qty, int store, string location, int product, decimal price,
        string category, string type, string detail, decimal total) =>
        string.Join('|', id, date.ToString("yyyy-MM-dd"), time.ToString("HH:mm:ss"), qty, store, location, product,
            price.ToString("0.00", CultureInfo.InvariantCulture), category, type, detail, total.ToString("0.00", CultureInfo.InvariantCulture));

    public static (long Count, string Hash) Of(IEnumerable<string> lines)
    {
        var sorted = lines.Order(StringComparer.Ordinal).ToList();
        return (sorted.Count, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', sorted)))));
    }

    /// <summary>What the pipeline should store for a file: its accepted rows, the later duplicate winning.</summary>
    public static async Task<(long Count, string Hash)> ExpectedAsync(string path, DateOnly? from = null, DateOnly? to = null)
    {
        var cleaner = new BatchCleaner(new SalesRowCleaner(new CleaningOptions()));
        var rows = new Dictionary<string, SalesRow>();
        var reader = new SalesFileReader(64 * 1024, 8 * 1024 * 1024);
        await foreach (var chunk in reader.ReadAsync(path, new ReadPosition(0, 1), new FileInfo(path).Length, null, 100_000, CancellationToken.None))
        {
            var clean = cleaner.Clean(RawBatches.From(chunk, from, to));
            foreach (var r in clean.Rows) rows[r.TransactionId] = r;
        }
        return Of(rows.Values.Select(r => Line(r.TransactionId, r.TransactionDate, r.TransactionTime, r.TransactionQty, r.StoreId, r.StoreLocation,
            r.ProductId, r.UnitPrice, r.ProductCategory, r.ProductType, r.ProductDetail, r.TotalAmount)));
    }

    /// <summary>What MySQL holds, through the legacy-shaped sales_data view; optionally one ingestion's rows only.</summary>
    public static async Task<(long Count, string Hash)> StoredAsync(string connectionString, Guid? ingestionId = null, DateOnly? date = null)
    {
        await using var c = new MySqlConnection(connectionString);
        await c.OpenAsync();
        // One ingestion's rows: a range of sales' primary key (row_version), joined to stores and products exactly as the
        // sales_data view does (the view joined back to sales let the optimizer scan after a restart).
        var sql = ingestionId is null
            ? "SELECT transaction_id, transaction_date, transaction_time, transaction_qty, store_id, store_location, product_id, " +
              "unit_price, product_category, product_type, product_detail, total_amount FROM sales_data WHERE 1 = 1" +
              (date is null ? "" : " AND transaction_date = @date")
            : "SELECT s.transaction_id, s.transaction_date, s.transaction_time, s.transaction_qty, s.store_id, st.store_location, s.product_id, " +
              "s.unit_price, p.product_category, p.product_type, p.product_detail, s.total_amount " +
              "FROM sales s FORCE INDEX (PRIMARY) JOIN store_versions st ON st.store_key = s.store_key JOIN product_versions p ON p.product_key = s.product_key " +
              "WHERE s.row_version BETWEEN @from AND @to" + (date is null ? "" : " AND s.transaction_date = @date");
        await using var cmd = new MySqlCommand(sql, c);
        if (ingestionId is { } id)
        {
            var (from, to) = await VersionRangeAsync(c, id);
            cmd.Parameters.AddWithValue("@from", from);
            cmd.Parameters.AddWithValue("@to", to);
        }
        if (date is { } day) cmd.Parameters.AddWithValue("@date", day.ToDateTime(TimeOnly.MinValue));
        var lines = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            lines.Add(Line(r.GetString(0), DateOnly.FromDateTime(r.GetDateTime(1)), TimeOnly.FromTimeSpan(r.GetTimeSpan(2)), r.GetInt32(3), r.GetInt32(4),
                r.GetString(5), r.GetInt32(6), r.GetDecimal(7), r.GetString(8), r.GetString(9), r.GetString(10), r.GetDecimal(11)));
        return Of(lines);
    }

    /// <summary>
    /// One ingestion's facts as the star schema answers them (joined through all four dimensions, the
    /// store and product versions each sale was sold with), and the same rows as MySQL holds them, in one form.
    /// </summary>
    public static async Task<(long Count, string Hash)> StarSchemaAsync(string olapConnectionString, Guid ingestionId)
    {
        await using var c = new NpgsqlConnection(olapConnectionString);
        await c.OpenAsync();
        await using var numberOf = new NpgsqlCommand("SELECT COALESCE(MAX(ingestion_number), 0) FROM sync_batch WHERE ingestion_id = @id", c);
        numberOf.Parameters.AddWithValue("id", ingestionId);
        var (from, to) = SalesTsv.VersionRange(Convert.ToInt64(await numberOf.ExecuteScalarAsync()));
        await using var cmd = new NpgsqlCommand(
            "SELECT f.transaction_id, d.transaction_date, t.transaction_time, f.transaction_qty, s.store_id, s.store_location, p.product_id, " +
            "p.product_category, p.product_type, p.product_detail, f.total_amount, p.unit_price " +
            "FROM fact_sales f JOIN dim_date d ON d.date_id = f.date_id JOIN dim_time t ON t.time_id = f.time_id " +
            "JOIN dim_store s ON s.store_key = f.store_key JOIN dim_product p ON p.product_key = f.product_key " +
            "WHERE f.row_version BETWEEN @from AND @to", c);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        var lines = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            lines.Add(FactLine(r.GetString(0), r.GetFieldValue<DateOnly>(1), r.GetFieldValue<TimeOnly>(2), r.GetInt32(3), r.GetInt32(4), r.GetString(5),
                r.GetInt32(6), r.GetString(7), r.GetString(8), r.GetString(9), r.GetDecimal(10), r.GetDecimal(11)));
        return Of(lines);
    }

    public static async Task<(long Count, string Hash)> StoredFactsAsync(string oltpConnectionString, Guid ingestionId)
    {
        await using var c = new MySqlConnection(oltpConnectionString);
        await c.OpenAsync();
        var (from, to) = await VersionRangeAsync(c, ingestionId);
        await using var cmd = new MySqlCommand(
            "SELECT s.transaction_id, s.transaction_date, s.transaction_time, s.transaction_qty, s.store_id, st.store_location, s.product_id, " +
            "p.product_category, p.product_type, p.product_detail, s.total_amount, s.unit_price " +
            "FROM sales s FORCE INDEX (PRIMARY) JOIN store_versions st ON st.store_key = s.store_key JOIN product_versions p ON p.product_key = s.product_key " +
            "WHERE s.row_version BETWEEN @from AND @to", c);
        cmd.Parameters.AddWithValue("@from", from);
        cmd.Parameters.AddWithValue("@to", to);
        var lines = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            lines.Add(FactLine(r.GetString(0), DateOnly.FromDateTime(r.GetDateTime(1)), TimeOnly.FromTimeSpan(r.GetTimeSpan(2)), r.GetInt32(3), r.GetInt32(4),
                r.GetString(5), r.GetInt32(6), r.GetString(7), r.GetString(8), r.GetString(9), r.GetDecimal(10), r.GetDecimal(11)));
        return Of(lines);
    }

    /// <summary>An ingestion's rows in MySQL: row_version carries its number in the high 32 bits.</summary>
    private static async Task<(long From, long To)> VersionRangeAsync(MySqlConnection c, Guid ingestionId)
    {
        await using var numberOf = new MySqlCommand("SELECT COALESCE(MAX(ingestion_number), 0) FROM ingestion_batch WHERE ingestion_id = @id", c);
        numberOf.Parameters.AddWithValue("@id", ingestionId);
        return SalesTsv.VersionRange(Convert.ToInt64(await numberOf.ExecuteScalarAsync()));
    }

    private static string FactLine(string id, DateOnly date, TimeOnly time, int qty, int store, string location, int product,
        string category, string type, string detail, decimal total, decimal price) =>
        string.Join('|', id, date.ToString("yyyy-MM-dd"), time.ToString("HH:mm:ss"), qty, store, location, product, category, type, detail,
            total.ToString("0.00", CultureInfo.InvariantCulture), price.ToString("0.00", CultureInfo.InvariantCulture));
}
