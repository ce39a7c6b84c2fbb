using Npgsql;

namespace CoffeeMesh.Dashboard;

/// <summary>
/// The dashboard's figures, read from the star schema's aggregate <c>sales_hourly</c> (kept by
/// olap-sync with every batch: transactions, items and revenue per date, hour, store version and
/// product version), joined to the versions each sale was sold with, so stores and products appear
/// as they were when sold. Revenue is in the facts' currency (SUM of fact_sales.total_amount), as
/// decimal, exact to the cent; transactions are facts (sales lines); items are units sold.
/// </summary>
public sealed class SalesReports(NpgsqlDataSource olap)
{
    // Every report filters the same way: the period by the date key, the store by the version's
    // natural id, the category by the version's category (as sold).
    private const string From =
        """
        FROM sales_hourly a
        JOIN dim_store s ON s.store_key = a.store_key
        JOIN dim_product p ON p.product_key = a.product_key
        WHERE a.date_id BETWEEN @from AND @to
          AND (@store::int IS NULL OR s.store_id = @store)
          AND (@category::text IS NULL OR p.product_category = @category)
        """;

    /// <summary>Headline figures of the period and of the previous period of equal length.</summary>
    public async Task<Summary> SummaryAsync(SalesFilter filter, CancellationToken ct)
    {
        var previous = filter.Previous;
        await using var cmd = Command(
            $"""
            SELECT COALESCE(SUM(a.revenue) FILTER (WHERE a.date_id >= @start), 0), COALESCE(SUM(a.transactions) FILTER (WHERE a.date_id >= @start), 0),
                   COALESCE(SUM(a.quantity) FILTER (WHERE a.date_id >= @start), 0),
                   COALESCE(SUM(a.revenue) FILTER (WHERE a.date_id < @start), 0), COALESCE(SUM(a.transactions) FILTER (WHERE a.date_id < @start), 0),
                   COALESCE(SUM(a.quantity) FILTER (WHERE a.date_id < @start), 0)
            {From}
            """, filter with { From = previous.From });
        cmd.Parameters.AddWithValue("start", SalesFilter.DateId(filter.From));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new Summary(filter.From, filter.To, previous.From, previous.To,
            Figures.Of(r.GetDecimal(0), r.GetInt64(1), r.GetInt64(2)), Figures.Of(r.GetDecimal(3), r.GetInt64(4), r.GetInt64(5)));
    }

    /// <summary>Revenue and transactions per day with sales, in date order.</summary>
    public Task<IReadOnlyList<DayRevenue>> DailyAsync(SalesFilter filter, CancellationToken ct) =>
        ListAsync($"SELECT a.date_id, SUM(a.revenue), SUM(a.transactions) {From} GROUP BY a.date_id ORDER BY a.date_id", filter,
            r => new DayRevenue(ToDate(r.GetInt32(0)).ToString("yyyy-MM-dd"), r.GetDecimal(1), r.GetInt64(2)), ct);

    /// <summary>Revenue and transactions per calendar month (yyyy-MM) with sales in the period, in order.</summary>
    public Task<IReadOnlyList<MonthRevenue>> MonthlyAsync(SalesFilter filter, CancellationToken ct) =>
        ListAsync($"SELECT a.date_id / 100, SUM(a.revenue), SUM(a.transactions) {From} GROUP BY 1 ORDER BY 1", filter,
            r => new MonthRevenue($"{r.GetInt32(0) / 100:D4}-{r.GetInt32(0) % 100:D2}", r.GetDecimal(1), r.GetInt64(2)), ct);

    /// <summary>Per store as it was named when sold (a renamed store shows under each name), by revenue, highest first.</summary>
    public Task<IReadOnlyList<StoreRevenue>> StoresAsync(SalesFilter filter, CancellationToken ct) =>
        ListAsync($"SELECT s.store_id, s.store_location, SUM(a.revenue), SUM(a.transactions), SUM(a.quantity) {From} " +
                  "GROUP BY s.store_id, s.store_location ORDER BY 3 DESC, 1, 2", filter,
            r => new StoreRevenue(r.GetInt32(0), r.GetString(1), r.GetDecimal(2), r.GetInt64(3), r.GetInt64(4)), ct);

    /// <summary>Per product category and type as sold, by revenue, highest first.</summary>
    public Task<IReadOnlyList<CategoryRevenue>> CategoriesAsync(SalesFilter filter, CancellationToken ct) =>
        ListAsync($"SELECT p.product_category, p.product_type, SUM(a.revenue), SUM(a.quantity) {From} " +
                  "GROUP BY p.product_category, p.product_type ORDER BY 3 DESC, 1, 2", filter,
            r => new CategoryRevenue(r.GetString(0), r.GetString(1), r.GetDecimal(2), r.GetInt64(3)), ct);

    /// <summary>Revenue and transactions per weekday (ISO: 1 = Monday .. 7 = Sunday) and hour (0-23) with sales.</summary>
    public Task<IReadOnlyList<HeatCell>> HeatmapAsync(SalesFilter filter, CancellationToken ct) =>
        ListAsync(
            $"""
            SELECT extract(isodow FROM make_date(d.date_id / 10000, d.date_id / 100 % 100, d.date_id % 100))::int, d.hour, SUM(d.revenue), SUM(d.transactions)
            FROM (SELECT a.date_id, a.hour, SUM(a.revenue) AS revenue, SUM(a.transactions) AS transactions {From} GROUP BY a.date_id, a.hour) d
            GROUP BY 1, 2 ORDER BY 1, 2
            """, filter,
            r => new HeatCell(r.GetInt32(0), r.GetInt32(1), r.GetDecimal(2), r.GetInt64(3)), ct);

    /// <summary>The <paramref name="limit"/> products (as sold: id and that version's names) with the most revenue.</summary>
    public Task<IReadOnlyList<ProductRevenue>> TopProductsAsync(SalesFilter filter, int limit, CancellationToken ct) =>
        ListAsync($"SELECT p.product_id, p.product_detail, p.product_category, p.product_type, SUM(a.revenue), SUM(a.quantity) {From} " +
                  "GROUP BY p.product_id, p.product_detail, p.product_category, p.product_type ORDER BY 5 DESC, 1, 2 LIMIT @limit", filter,
            r => new ProductRevenue(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDecimal(4), r.GetInt64(5)), ct,
            ("limit", limit));

    /// <summary>What the filters can choose: the dates with sales, every store and every category as sold.</summary>
    public async Task<FilterChoices> ChoicesAsync(CancellationToken ct)
    {
        DateOnly? first = null, last = null;
        await using (var cmd = olap.CreateCommand("SELECT MIN(date_id), MAX(date_id) FROM sales_hourly"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct) && !r.IsDBNull(0)) (first, last) = (ToDate(r.GetInt32(0)), ToDate(r.GetInt32(1)));
        var stores = new List<StoreChoice>();
        await using (var cmd = olap.CreateCommand(
                         "SELECT store_id, string_agg(DISTINCT store_location, ' / ' ORDER BY store_location) FROM dim_store GROUP BY store_id ORDER BY store_id"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) stores.Add(new StoreChoice(r.GetInt32(0), r.GetString(1)));
        var categories = new List<string>();
        await using (var cmd = olap.CreateCommand("SELECT DISTINCT product_category FROM dim_product ORDER BY 1"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) categories.Add(r.GetString(0));
        return new FilterChoices(first?.ToString("yyyy-MM-dd"), last?.ToString("yyyy-MM-dd"), SalesFilter.MaxDays, stores, categories);
    }

    private NpgsqlCommand Command(string sql, SalesFilter filter)
    {
        var cmd = olap.CreateCommand(sql);
        cmd.Parameters.AddWithValue("from", SalesFilter.DateId(filter.From));
        cmd.Parameters.AddWithValue("to", SalesFilter.DateId(filter.To));
        cmd.Parameters.Add(new NpgsqlParameter("store", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)filter.Store ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("category", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)filter.Category ?? DBNull.Value });
        return cmd;
    }

    private async Task<IReadOnlyList<T>> ListAsync<T>(string sql, SalesFilter filter, Func<NpgsqlDataReader, T> row, CancellationToken ct,
        params (string Name, object Value)[] more)
    {
        await using var cmd = Command(sql, filter);
        foreach (var (name, value) in more) cmd.Parameters.AddWithValue(name, value);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<T>();
        while (await r.ReadAsync(ct)) list.Add(row(r));
        return list;
    }

    internal static DateOnly ToDate(int dateId) => new(dateId / 10000, dateId / 100 % 100, dateId % 100);
}
