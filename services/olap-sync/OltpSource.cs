using CoffeeMesh.Messaging.Storage;
using MySqlConnector;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// oltp-writer's MySQL database, read only: a stored batch's sales by their row_version range and
/// the current stores and products they name.
/// </summary>
public sealed class OltpSource(ServiceStore store)
{
    public ServiceStore Store { get; } = store;

    public async Task<MySqlConnection> OpenAsync(CancellationToken ct) => (MySqlConnection)await Store.OpenAsync(ct);

    /// <summary>
    /// A batch's sales as fact_sales lines in PostgreSQL's COPY text format, built by MySQL: the
    /// sync passes them through and reads only the three dimension keys, instead of parsing eight
    /// typed values a row and encoding them again. The keys are smart keys (yyyymmdd, hhmmss). No field can hold a tab,
    /// a newline or a backslash: transaction_id is transform's "&lt;integer&gt;_&lt;yyyyMMdd&gt;", the rest are numbers.
    /// </summary>
    public static async Task<MySqlDataReader> ReadFactLinesAsync(MySqlConnection c, long fromVersion, long toVersion, CancellationToken ct) =>
        (MySqlDataReader)await c.Command(
                """
                SELECT CONCAT_WS('	', transaction_id,
                       YEAR(transaction_date) * 10000 + MONTH(transaction_date) * 100 + DAY(transaction_date),
                       HOUR(transaction_time) * 10000 + MINUTE(transaction_time) * 100 + SECOND(transaction_time),
                       store_id, product_id, transaction_qty, total_amount, row_version)
                FROM sales WHERE row_version BETWEEN @from AND @to
                """)
            .With("@from", fromVersion).With("@to", toVersion)
            .ExecuteReaderAsync(ct);

    public static async Task<List<StoreRow>> StoresAsync(MySqlConnection c, IEnumerable<int> ids, CancellationToken ct) =>
        await ListAsync(c, "SELECT store_id, store_location, updated_at FROM stores WHERE store_id IN ", ids,
            r => new StoreRow(r.GetInt32(0), r.GetString(1), r.GetDateTime(2)), ct);

    public static async Task<List<ProductRow>> ProductsAsync(MySqlConnection c, IEnumerable<int> ids, CancellationToken ct) =>
        await ListAsync(c, "SELECT product_id, product_category, product_type, product_detail, unit_price, updated_at FROM products WHERE product_id IN ", ids,
            r => new ProductRow(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDecimal(4), r.GetDateTime(5)), ct);

    private static async Task<List<T>> ListAsync<T>(MySqlConnection c, string selectHead, IEnumerable<int> ids, Func<System.Data.Common.DbDataReader, T> read, CancellationToken ct)
    {
        var list = new List<T>();
        foreach (var chunk in ids.Chunk(500))
        {
            var command = c.Command("");
            command.CommandText = $"{selectHead}({command.WithEach("k", chunk)})";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) list.Add(read(reader));
        }
        return list;
    }
}

public sealed record StoreRow(int StoreId, string StoreLocation, DateTime UpdatedAt);

public sealed record ProductRow(int ProductId, string ProductCategory, string ProductType, string ProductDetail, decimal UnitPrice, DateTime UpdatedAt);
