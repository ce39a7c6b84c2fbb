using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging.Storage;
using CsvHelper;

namespace CoffeeMesh.CloudPublisher;

/// <summary>
/// oltp-writer's MySQL database, read only: a batch's current rows (those whose row_version is in
/// the batch's range: rows a later ingestion has replaced since are not there any more) as
/// processed CSV, one part per date, in one streamed query.
/// </summary>
public sealed class BatchRows(ServiceStore store)
{
    public ServiceStore Store { get; } = store;

    /// <summary>
    /// One day's current rows as one processed CSV part, and the highest ingestion number among them (0 when none).
    /// The caller disposes the part.
    /// </summary>
    public async Task<(CsvPart Part, long LatestIngestion)> ReadDayAsync(DateOnly day, CancellationToken ct)
    {
        var part = new CsvPart(day);
        try
        {
            await using var c = await Store.OpenAsync(ct);
            long latest = 0;
            await using (var reader = await c.Command("SELECT COALESCE(MAX(row_version >> 32), 0) FROM sales WHERE transaction_date = @day")
                             .With("@day", day.ToDateTime(TimeOnly.MinValue)).ExecuteReaderAsync(ct))
                if (await reader.ReadAsync(ct)) latest = Convert.ToInt64(reader.GetValue(0));
            await using (var reader = await c.Command(ProcessedCsv.SelectSales + " WHERE s.transaction_date = @day ORDER BY s.transaction_time, s.row_version")
                             .With("@day", day.ToDateTime(TimeOnly.MinValue)).ExecuteReaderAsync(ct))
            {
                using var writer = ProcessedCsv.CreateWriter(part.Content);
                ProcessedCsv.WriteHeader(writer);
                while (await reader.ReadAsync(ct))
                {
                    var sale = ProcessedCsv.WriteRow(writer, reader);
                    part.Rows++;
                    part.Quantity += sale.Quantity;
                    part.Amount += sale.Amount;
                }
            }
            return (part, latest);
        }
        catch
        {
            part.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The rows of one ingestion's source lines [firstLine, lastLine], sorted by date, time and
    /// source line, split by date. Empty when none is current. The caller disposes the parts.
    /// Throws what MySQL throws (the consumer's retry handles transient faults).
    /// </summary>
    public async Task<List<CsvPart>> ReadAsync(long ingestionNumber, long firstLine, long lastLine, CancellationToken ct)
    {
        var parts = new List<CsvPart>();
        CsvWriter? writer = null;
        try
        {
            await using var c = await Store.OpenAsync(ct);
            await using var reader = await c.Command(ProcessedCsv.SelectSales +
                                                     " WHERE s.row_version BETWEEN @from AND @to ORDER BY s.transaction_date, s.transaction_time, s.row_version")
                .With("@from", SalesTsv.RowVersion(ingestionNumber, firstLine)).With("@to", SalesTsv.RowVersion(ingestionNumber, lastLine))
                .ExecuteReaderAsync(ct);
            CsvPart? part = null;
            while (await reader.ReadAsync(ct))
            {
                var date = DateOnly.FromDateTime(reader.GetDateTime(1));
                if (part is null || part.Date != date)
                {
                    writer?.Dispose(); // flushes the finished part
                    part = new CsvPart(date);
                    parts.Add(part);
                    writer = ProcessedCsv.CreateWriter(part.Content);
                    ProcessedCsv.WriteHeader(writer);
                }
                var sale = ProcessedCsv.WriteRow(writer!, reader);
                part.Rows++;
                part.Quantity += sale.Quantity;
                part.Amount += sale.Amount;
            }
            writer?.Dispose();
            writer = null;
            return parts;
        }
        catch
        {
            writer?.Dispose();
            foreach (var p in parts) p.Dispose();
            throw;
        }
    }
}
