using CoffeeMesh.Messaging.Storage;
using MySqlConnector;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// oltp-writer's MySQL database, read only: a stored batch's sales by their row_version range and
/// every version of the stores and products they name.
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
        (MySqlDataReader)await c.Command(SelectFactLines + " WHERE row_version BETWEEN @from AND @to")
            .With("@from", fromVersion).With("@to", toVersion)
            .ExecuteReaderAsync(ct);

    /// <summary>One day's current sales as fact_sales lines (see <see cref="ReadFactLinesAsync"/>): the repair of a day that disagrees.</summary>
    public static async Task<MySqlDataReader> ReadDayFactLinesAsync(MySqlConnection c, DateOnly day, CancellationToken ct) =>
        (MySqlDataReader)await c.Command(SelectFactLines + " WHERE transaction_date = @day")
            .With("@day", day.ToDateTime(TimeOnly.MinValue))
            .ExecuteReaderAsync(ct);

    private const string SelectFactLines =
        """
        SELECT CONCAT_WS('	', transaction_id,
               YEAR(transaction_date) * 10000 + MONTH(transaction_date) * 100 + DAY(transaction_date),
               HOUR(transaction_time) * 10000 + MINUTE(transaction_time) * 100 + SECOND(transaction_time),
               store_id, product_id, transaction_qty, total_amount, row_version, store_key, product_key)
        FROM sales
        """;

    /// <summary>Every version of the given stores (a new version changes its neighbours' valid_to and is_current too).</summary>
    public static async Task<List<StoreRow>> StoresAsync(MySqlConnection c, IEnumerable<int> ids, CancellationToken ct) =>
        await ListAsync(c, "SELECT store_key, store_id, store_location, valid_from, valid_to, is_current, updated_at FROM store_versions WHERE store_id IN ", ids,
            r => new StoreRow(r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetDateTime(3), r.IsDBNull(4) ? null : r.GetDateTime(4), r.GetBoolean(5), r.GetDateTime(6)), ct);

    /// <summary>Every version of the given products.</summary>
    public static async Task<List<ProductRow>> ProductsAsync(MySqlConnection c, IEnumerable<int> ids, CancellationToken ct) =>
        await ListAsync(c,
            "SELECT product_key, product_id, product_category, product_type, product_detail, unit_price, valid_from, valid_to, is_current, updated_at " +
            "FROM product_versions WHERE product_id IN ", ids,
            r => new ProductRow(r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetDecimal(5), r.GetDateTime(6),
                r.IsDBNull(7) ? null : r.GetDateTime(7), r.GetBoolean(8), r.GetDateTime(9)), ct);

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

/// <summary>A version of a store (MySQL's store_versions row).</summary>
public sealed record StoreRow(long StoreKey, int StoreId, string StoreLocation, DateTime ValidFrom, DateTime? ValidTo, bool IsCurrent, DateTime UpdatedAt);

/// <summary>A version of a product (MySQL's product_versions row).</summary>
public sealed record ProductRow(long ProductKey, int ProductId, string ProductCategory, string ProductType, string ProductDetail, decimal UnitPrice,
    DateTime ValidFrom, DateTime? ValidTo, bool IsCurrent, DateTime UpdatedAt);
