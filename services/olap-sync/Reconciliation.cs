using System.Text.Json.Serialization;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// Whether MySQL and the star schema agree, day by day: rows, quantity and amount on each side.
/// The old pipeline had no way to tell. Both sides are scanned over the date range (sales has no
/// index by date: the write path is worth more than this occasional check), so the range is bounded.
/// </summary>
public sealed record Reconciliation
{
    public const int MaxDays = 366;

    [JsonPropertyName("from")] public DateOnly From { get; init; }
    [JsonPropertyName("to")] public DateOnly To { get; init; }
    [JsonPropertyName("agrees")] public bool Agrees { get; init; }
    [JsonPropertyName("days")] public IReadOnlyList<DayTotals> Days { get; init; } = [];

    public sealed record Totals(
        [property: JsonPropertyName("rows")] long Rows,
        [property: JsonPropertyName("quantity")] long Quantity,
        [property: JsonPropertyName("amount")] decimal Amount);

    public sealed record DayTotals(
        [property: JsonPropertyName("date")] DateOnly Date,
        [property: JsonPropertyName("mysql")] Totals MySql,
        [property: JsonPropertyName("postgresql")] Totals PostgreSql,
        [property: JsonPropertyName("agrees")] bool Agrees);

    public static async Task<Reconciliation> LoadAsync(OltpSource oltp, ServiceStore olap, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var mysql = new Dictionary<DateOnly, Totals>();
        await using (var c = await oltp.OpenAsync(ct))
        await using (var r = await c.Command(
                             "SELECT transaction_date, COUNT(*), SUM(transaction_qty), SUM(total_amount) FROM sales " +
                             "WHERE transaction_date BETWEEN @from AND @to GROUP BY transaction_date")
                         .With("@from", from.ToDateTime(TimeOnly.MinValue)).With("@to", to.ToDateTime(TimeOnly.MinValue)).ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                mysql[DateOnly.FromDateTime(r.GetDateTime(0))] = new Totals(r.GetInt64(1), Convert.ToInt64(r.GetValue(2)), r.GetDecimal(3));

        var postgres = new Dictionary<DateOnly, Totals>();
        await using (var c = await olap.OpenAsync(ct))
        await using (var r = await c.Command(
                             "SELECT d.transaction_date, COUNT(*), SUM(f.transaction_qty), SUM(f.total_amount) FROM fact_sales f " +
                             "JOIN dim_date d ON d.date_id = f.date_id WHERE f.date_id BETWEEN @from AND @to GROUP BY d.transaction_date")
                         .With("@from", Dimensions.DateId(from)).With("@to", Dimensions.DateId(to)).ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                postgres[r.GetFieldValue<DateOnly>(0)] = new Totals(r.GetInt64(1), r.GetInt64(2), r.GetDecimal(3));

        var none = new Totals(0, 0, 0m);
        var days = mysql.Keys.Union(postgres.Keys).Order()
            .Select(d => (Date: d, My: mysql.GetValueOrDefault(d, none), Pg: postgres.GetValueOrDefault(d, none)))
            .Select(x => new DayTotals(x.Date, x.My, x.Pg, x.My == x.Pg))
            .ToList();
        return new Reconciliation { From = from, To = to, Days = days, Agrees = days.All(d => d.Agrees) };
    }
}
