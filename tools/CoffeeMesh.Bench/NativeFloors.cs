using System.Diagnostics;
using MySqlConnector;
using Npgsql;

namespace CoffeeMesh.Bench;

/// <summary>
/// The fastest the databases can take this file at all: MariaDB LOAD DATA LOCAL INFILE and
/// PostgreSQL COPY of the raw rows into a scratch table of text columns, on the same machine, in the same run.
/// </summary>
public static class NativeFloors
{
    private const string Columns = "transaction_id, transaction_date, transaction_time, transaction_qty, store_id, store_location, product_id, " +
                                   "unit_price, product_category, product_type, product_detail";

    public static async Task<double> MySqlLoadDataAsync(string connectionString, string file, long rows)
    {
        await using var c = new MySqlConnection(connectionString);
        await c.OpenAsync();
        await new MySqlCommand("DROP TABLE IF EXISTS bench_floor; CREATE TABLE bench_floor (" +
                               string.Join(", ", Columns.Split(", ").Select(n => n + " VARCHAR(120)")) + ") ENGINE=InnoDB", c).ExecuteNonQueryAsync();
        var sw = Stopwatch.StartNew();
        var loader = new MySqlBulkLoader(c)
        {
            FileName = file, Local = true, TableName = "bench_floor", FieldTerminator = ";", LineTerminator = "\n", NumberOfLinesToSkip = 1,
            CharacterSet = "utf8mb4",
        };
        var loaded = await loader.LoadAsync();
        var seconds = sw.Elapsed.TotalSeconds;
        await new MySqlCommand("DROP TABLE bench_floor", c).ExecuteNonQueryAsync();
        if (loaded < rows * 0.99) throw new InvalidOperationException($"LOAD DATA loaded {loaded} of {rows} rows");
        return rows / seconds;
    }

    public static async Task<double> PostgresCopyAsync(string connectionString, string file, long rows)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await new NpgsqlCommand("DROP TABLE IF EXISTS bench_floor; CREATE TABLE bench_floor (" +
                                string.Join(", ", Columns.Split(", ").Select(n => n + " text")) + ")", c).ExecuteNonQueryAsync();
        var sw = Stopwatch.StartNew();
        await using (var writer = await c.BeginTextImportAsync($"COPY bench_floor ({Columns}) FROM STDIN WITH (FORMAT text, DELIMITER ';')"))
        using (var reader = new StreamReader(file))
        {
            await reader.ReadLineAsync(); // header
            var buffer = new char[1 << 16];
            int n;
            // Text format: raw lines are valid as they are (no tabs, backslashes or quotes in the data).
            while ((n = await reader.ReadAsync(buffer)) > 0) await writer.WriteAsync(buffer.AsMemory(0, n));
        }
        var seconds = sw.Elapsed.TotalSeconds;
        await new NpgsqlCommand("DROP TABLE bench_floor", c).ExecuteNonQueryAsync();
        return rows / seconds;
    }
}
