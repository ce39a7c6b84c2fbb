using System.Diagnostics;
using System.Text.Json.Nodes;
using CoffeeMesh.Dashboard;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.OlapSync;
using CoffeeMesh.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace CoffeeMesh.Bench;

/// <summary>
/// The dashboard's queries on a big star schema: a throwaway PostgreSQL database gets
/// <c>facts</c> synthetic facts, in batches of 10,000 in date order as a file would bring them,
/// each through olap-sync's own COPY path (<see cref="FactLines"/>, then <see cref="SalesAggregate"/>
/// in the batch's transaction), then every report the page asks for is timed (median and p90 of
/// several runs, milliseconds) through the dashboard's own <see cref="SalesReports"/>.
/// </summary>
public static class DashboardQueries
{
    private const int Days = 180;
    private const int Stores = 3;
    private const int Products = 80;
    private const int BatchRows = 10_000;

    public static async Task<JsonObject> MeasureAsync(string olapBase, long facts, int runs)
    {
        var cs = new NpgsqlConnectionStringBuilder(olapBase) { Database = "coffee_sales_data_bench_dashboard", CommandTimeout = 600 }.ConnectionString;
        await TestDatabases.DropPostgresAsync(cs);
        try
        {
            await Migrations.ApplyAsync(ServiceStore.PostgreSql(cs), OlapSchema.Migrations, NullLogger.Instance, default);
            await using var data = NpgsqlDataSource.Create(cs);
            var (insertSeconds, aggregateSeconds) = await LoadAsync(data, facts);
            await using (var c = data.CreateCommand("VACUUM ANALYZE sales_hourly")) await c.ExecuteNonQueryAsync();
            await using (var c = data.CreateCommand("VACUUM ANALYZE fact_sales")) await c.ExecuteNonQueryAsync();
            var cells = await ScalarAsync<long>(data, "SELECT COUNT(*) FROM sales_hourly");
            // The aggregate is exact: the same revenue as the facts'.
            var exact = await ScalarAsync<decimal>(data, "SELECT SUM(revenue) FROM sales_hourly") == await ScalarAsync<decimal>(data, "SELECT SUM(total_amount) FROM fact_sales");

            var reports = new SalesReports(data);
            var first = new DateOnly(2025, 1, 1);
            var last = first.AddDays(Days - 1);
            var views = new (string Name, SalesFilter Filter)[]
            {
                ("default: last 28 days", new SalesFilter(last.AddDays(-27), last, null, null)),
                ($"all {Days} days", new SalesFilter(first, last, null, null)),
                ($"all {Days} days, one store", new SalesFilter(first, last, 5, null)),
                ($"all {Days} days, one category", new SalesFilter(first, last, null, "Coffee")),
            };
            var result = new JsonObject
            {
                ["facts"] = facts, ["days"] = Days, ["stores"] = Stores, ["products"] = Products, ["aggregate_rows"] = cells, ["aggregate_equals_facts"] = exact,
                ["load_insert_seconds"] = Math.Round(insertSeconds, 1), ["load_aggregate_seconds"] = Math.Round(aggregateSeconds, 1),
                ["aggregate_ms_per_10k_batch"] = Math.Round(aggregateSeconds * 1000 / Math.Ceiling(facts / (double)BatchRows), 2),
                ["runs"] = runs,
            };
            var timings = new JsonObject();
            foreach (var (name, filter) in views)
            {
                Console.Error.WriteLine($"    {name} ...");
                var view = new JsonObject
                {
                    ["summary"] = await TimeAsync(runs, () => reports.SummaryAsync(filter, default)),
                    ["daily"] = await TimeAsync(runs, () => reports.DailyAsync(filter, default)),
                    ["monthly"] = await TimeAsync(runs, () => reports.MonthlyAsync(filter, default)),
                    ["stores"] = await TimeAsync(runs, () => reports.StoresAsync(filter, default)),
                    ["categories"] = await TimeAsync(runs, () => reports.CategoriesAsync(filter, default)),
                    ["heatmap"] = await TimeAsync(runs, () => reports.HeatmapAsync(filter, default)),
                    ["top_products"] = await TimeAsync(runs, () => reports.TopProductsAsync(filter, 10, default)),
                };
                timings[name] = view;
            }
            timings["filters (no period)"] = new JsonObject { ["choices"] = await TimeAsync(runs, () => reports.ChoicesAsync(default)) };
            result["query_ms"] = timings;
            // What the aggregate saves: the all-period summary straight from the facts, for comparison.
            result["summary_from_facts_ms"] = await TimeAsync(Math.Min(runs, 3), () => ScalarAsync<decimal>(data,
                $"SELECT SUM(total_amount) FROM fact_sales WHERE date_id BETWEEN {SalesFilter.DateId(first)} AND {SalesFilter.DateId(last)}"));
            return result;
        }
        finally
        {
            await TestDatabases.DropPostgresAsync(cs);
        }
    }

    /// <summary>Dimensions, then the facts batch by batch, each batch with its aggregate in one transaction (as olap-sync's COPY path); seconds spent on each.</summary>
    private static async Task<(double Insert, double Aggregate)> LoadAsync(NpgsqlDataSource data, long facts)
    {
        await using (var c = data.CreateCommand(
                         $"""
                         INSERT INTO dim_date (date_id, transaction_date, day, month, year, weekday)
                         SELECT to_char(d, 'YYYYMMDD')::int, d, extract(day FROM d), extract(month FROM d), extract(year FROM d), to_char(d, 'FMDay')
                         FROM generate_series(date '2025-01-01', date '2025-01-01' + {Days - 1}, interval '1 day') AS g(d);
                         INSERT INTO dim_store (store_key, store_id, store_location, valid_from, is_current, source_updated_at)
                         VALUES (3, 3, 'West Campus', '2025-01-01', TRUE, now()), (5, 5, 'Main Campus', '2025-01-01', TRUE, now()), (8, 8, 'East Campus', '2025-01-01', TRUE, now());
                         INSERT INTO dim_product (product_key, product_id, product_category, product_type, product_detail, unit_price, valid_from, is_current, source_updated_at)
                         SELECT p, p, (ARRAY['Coffee','Tea','Drinking Chocolate','Bakery','Coffee beans','Branded','Loose Tea','Flavours','Packaged Chocolate'])[1 + p % 9],
                                'Type ' || (p % 29), 'Product ' || p, (1 + p % 20) * 1.5, '2025-01-01', TRUE, now()
                         FROM generate_series(1, {Products}) p;
                         -- A product renamed half-way: its later facts point at its second version.
                         UPDATE dim_product SET valid_to = '2025-04-01', is_current = FALSE WHERE product_key = 22;
                         INSERT INTO dim_product (product_key, product_id, product_category, product_type, product_detail, unit_price, valid_from, is_current, source_updated_at)
                         VALUES (1000000000, 22, 'Coffee', 'Type 22', 'Product 22 (renamed)', 34.50, '2025-04-01', TRUE, now());
                         """))
            await c.ExecuteNonQueryAsync();

        double insert = 0, aggregate = 0;
        var started = Stopwatch.StartNew();
        for (long first = 1; first <= facts; first += BatchRows)
        {
            var last = Math.Min(facts, first + BatchRows - 1);
            await using var connection = await data.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            using var lines = new FactLines();
            for (var g = first; g <= last; g++) lines.Add(Line(g, facts));
            var t0 = Stopwatch.GetTimestamp();
            await SalesAggregate.LockDatesAsync(connection, tx, lines.Dates, default);
            await lines.CopyToAsync(connection, "fact_sales", FactColumns, default);
            var t1 = Stopwatch.GetTimestamp();
            await SalesAggregate.AddFactsAsync(connection, tx, lines, default);
            var t2 = Stopwatch.GetTimestamp();
            await tx.CommitAsync();
            insert += Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
            aggregate += Stopwatch.GetElapsedTime(t1, t2).TotalSeconds;
            if (last % 1_000_000 == 0 || last == facts)
                Console.Error.WriteLine($"    {last:N0} facts ({started.Elapsed.TotalSeconds:0} s; facts {insert:0.0} s, aggregate {aggregate:0.0} s)");
        }
        return (insert, aggregate);
    }

    private const string FactColumns = "transaction_id, date_id, time_id, store_id, product_id, transaction_qty, total_amount, row_version, store_key, product_key";
    private static readonly int[] StoreIds = [3, 5, 8];

    /// <summary>Fact g as olap-sync's COPY line: its date in file order; hour (6-20), store, product and quantity from a multiplicative hash of g.</summary>
    private static string Line(long g, long facts)
    {
        var h = (ulong)g * 2654435761UL % 4294967296UL;
        var date = SalesFilter.DateId(new DateOnly(2025, 1, 1).AddDays((int)((g - 1) * Days / facts)));
        var time = (int)(6 + h % 15) * 10000 + (int)(h / 15 % 60) * 100 + (int)(h / 900 % 60);
        var store = StoreIds[(int)(h / 7 % 3)];
        var product = 1 + (int)(h / 21 % Products);
        var qty = 1 + (int)(h / 1700 % 3);
        var price = (1 + product % 20) * 1.5m;
        var productKey = product == 22 && date >= 20250401 ? 1_000_000_000 : product;
        if (productKey != product) price = 34.50m;
        return FormattableString.Invariant($"{g}_{date}\t{date}\t{time}\t{store}\t{product}\t{qty}\t{qty * price:0.00}\t{(1L << 32) + g}\t{store}\t{productKey}");
    }

    private static async Task<JsonObject> TimeAsync<T>(int runs, Func<Task<T>> query)
    {
        await query(); // warm: plans and buffers, as a page already in use finds them
        var ms = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await query();
            ms.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        ms.Sort();
        return new JsonObject { ["median"] = Math.Round(ms[ms.Count / 2], 1), ["p90"] = Math.Round(ms[(int)Math.Ceiling(ms.Count * 0.9) - 1], 1), ["max"] = Math.Round(ms[^1], 1) };
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource data, string sql)
    {
        await using var c = data.CreateCommand(sql);
        return (T)Convert.ChangeType((await c.ExecuteScalarAsync())!, typeof(T));
    }
}
