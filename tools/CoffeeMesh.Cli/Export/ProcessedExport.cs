using CoffeeMesh.Contracts;
using MySqlConnector;

namespace CoffeeMesh.Cli.Export;

/// <summary>What an export wrote: data rows (the header not counted), their quantities and amounts.</summary>
public readonly record struct ExportTotals(long Rows, long Quantity, decimal Amount);

/// <summary>
/// The old CSV-to-CSV step, from MySQL: the sales of a date range, as they stand now, in the
/// processed format (<see cref="ProcessedCsv"/>), sorted by date, time and then the order they were
/// read in. MySQL holds one current row per transaction id (a later version replaced the earlier),
/// so a duplicate transaction is written once, in its last version. Rows are streamed: nothing is
/// held but the writer's buffer.
/// </summary>
public static class ProcessedExport
{
    /// <summary>Writes [from, to] to <paramref name="output"/>. Throws what MySQL throws.</summary>
    /// <param name="connectionString">oltp-writer's MySQL database (ConnectionStrings:oltp).</param>
    public static async Task<ExportTotals> WriteAsync(string connectionString, DateOnly from, DateOnly to, Stream output, CancellationToken ct)
    {
        await using var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new MySqlCommand(
            ProcessedCsv.SelectSales + " WHERE s.transaction_date BETWEEN @from AND @to ORDER BY s.transaction_date, s.transaction_time, s.row_version",
            connection);
        // sales has no index by date (it costs the write path more than exports would gain): a long range is a long scan.
        command.CommandTimeout = 0;
        command.Parameters.AddWithValue("@from", from.ToDateTime(TimeOnly.MinValue));
        command.Parameters.AddWithValue("@to", to.ToDateTime(TimeOnly.MinValue));
        await using var reader = await command.ExecuteReaderAsync(ct);
        long rows = 0, quantity = 0;
        decimal amount = 0;
        using (var writer = ProcessedCsv.CreateWriter(output))
        {
            ProcessedCsv.WriteHeader(writer);
            while (await reader.ReadAsync(ct))
            {
                var sale = ProcessedCsv.WriteRow(writer, reader);
                rows++;
                quantity += sale.Quantity;
                amount += sale.Amount;
            }
        }
        await output.FlushAsync(ct);
        return new ExportTotals(rows, quantity, amount);
    }
}
