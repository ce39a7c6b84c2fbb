using System.Diagnostics;
using CoffeeMesh.Contracts;
using CoffeeMesh.WarehouseLoader.Warehouse;
using Microsoft.Extensions.Logging.Abstractions;
using MySqlConnector;

namespace CoffeeMesh.Bench;

/// <summary>
/// warehouse-loader's stage alone: the writer stage's MySQL rows as processed CSV objects, one per day (as
/// cloud-publisher writes them, files on local disk instead of the bucket), loaded into a fresh DuckDB warehouse
/// one after another (the loader serialises loads). Rows per second of the loads only.
/// </summary>
public static class WarehouseBenchmark
{
    public static async Task<(double RowsPerSecond, long Rows, int Objects, Dictionary<string, double> Cpu)> LoadAsync(string oltpConnectionString)
    {
        var folder = Directory.CreateTempSubdirectory("coffeemesh-bench-warehouse-").FullName;
        try
        {
            var files = await WriteDaysAsync(oltpConnectionString, folder);
            using var warehouse = new DuckDbWarehouse(Path.Combine(folder, "warehouse.duckdb"), NullLogger<DuckDbWarehouse>.Instance);
            await warehouse.EnsureSchemaAsync(CancellationToken.None);
            long rows = 0;
            var cpu = new CpuSample();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < files.Count; i++)
            {
                var processed = new ProcessedObject
                {
                    Bucket = "bench", Name = $"processed/{Path.GetFileName(files[i])}", Generation = 1, IngestionId = Guid.NewGuid(), IngestionNumber = 1,
                    Sequence = i, BatchObjects = 1,
                };
                var path = files[i];
                rows += (await warehouse.LoadAsync(processed, _ => Task.FromResult<Stream>(File.OpenRead(path)), CancellationToken.None)).Rows;
            }
            var rate = rows / sw.Elapsed.TotalSeconds;
            return (rate, rows, files.Count, cpu.Stop());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<List<string>> WriteDaysAsync(string oltpConnectionString, string folder)
    {
        var files = new List<string>();
        await using var c = new MySqlConnection(oltpConnectionString);
        await c.OpenAsync();
        await using var command = new MySqlCommand(ProcessedCsv.SelectSales + " ORDER BY s.transaction_date, s.transaction_time", c);
        await using var reader = await command.ExecuteReaderAsync();
        DateOnly? day = null;
        FileStream? file = null;
        CsvHelper.CsvWriter? writer = null;
        try
        {
            while (await reader.ReadAsync())
            {
                var date = DateOnly.FromDateTime(reader.GetDateTime(1));
                if (date != day)
                {
                    writer?.Dispose();
                    file?.Dispose();
                    var path = Path.Combine(folder, $"{date:yyyy-MM-dd}.csv");
                    files.Add(path);
                    file = File.Create(path);
                    writer = ProcessedCsv.CreateWriter(file);
                    ProcessedCsv.WriteHeader(writer);
                    day = date;
                }
                ProcessedCsv.WriteRow(writer!, reader);
            }
        }
        finally
        {
            writer?.Dispose();
            file?.Dispose();
        }
        return files;
    }
}
