using System.Data.Common;
using CsvHelper;

namespace CoffeeMesh.Contracts;

/// <summary>
/// The old pipeline's processed CSV, as cloud-publisher's objects and the CLI's export write it:
/// comma-separated (RFC 4180 quoting), LF line endings, UTF-8 without a byte order mark, a header of
/// the eleven <see cref="SalesColumns"/>, dates yyyy-MM-dd, times HH:mm:ss, numbers in the invariant
/// culture, prices already converted and stores already renamed, transaction ids "&lt;id&gt;_&lt;yyyyMMdd&gt;".
/// ingest recognises the shape (SourceShape.Processed) and loads it back unchanged.
/// </summary>
public static class ProcessedCsv
{
    /// <summary>
    /// MySQL, oltp-writer's tables: each current sale with the store and product attributes it was
    /// sold with (the <c>sales_data</c> view), in <see cref="SalesColumns.All"/> order, then
    /// total_amount. Callers add WHERE and ORDER BY, parameterised.
    /// </summary>
    public const string SelectSales =
        """
        SELECT s.transaction_id, s.transaction_date, s.transaction_time, s.transaction_qty, s.store_id, st.store_location,
               s.product_id, s.unit_price, p.product_category, p.product_type, p.product_detail, s.total_amount
        FROM sales s
        JOIN store_versions st ON st.store_key = s.store_key
        JOIN product_versions p ON p.product_key = s.product_key
        """;

    /// <summary>A writer of the format onto <paramref name="stream"/> (left open when the writer is disposed).</summary>
    public static CsvWriter CreateWriter(Stream stream) =>
        CsvWriter.Create(stream, CsvWriterOptions.Default with { NewLine = "\n" }, leaveOpen: true);

    public static void WriteHeader(CsvWriter writer) => writer.WriteHeader(SalesColumns.All.ToArray());

    /// <summary>
    /// Writes the reader's current row (the columns of <see cref="SelectSales"/>) as one record.
    /// </summary>
    /// <returns>The sale's date, quantity and amount (total_amount), for the caller's totals.</returns>
    public static ProcessedSale WriteRow(CsvWriter writer, DbDataReader reader)
    {
        var date = DateOnly.FromDateTime(reader.GetDateTime(1));
        var time = reader.GetFieldValue<TimeSpan>(2);
        var quantity = reader.GetInt32(3);
        writer.WriteField(reader.GetString(0));
        writer.WriteField(date, "yyyy-MM-dd");
        writer.WriteField(TimeOnly.FromTimeSpan(time), "HH:mm:ss");
        writer.WriteField(quantity, default);
        writer.WriteField(reader.GetInt32(4), default);
        writer.WriteField(reader.GetString(5));
        writer.WriteField(reader.GetInt32(6), default);
        writer.WriteField(reader.GetDecimal(7), default);
        writer.WriteField(reader.GetString(8));
        writer.WriteField(reader.GetString(9));
        writer.WriteField(reader.GetString(10));
        writer.EndRecord();
        return new ProcessedSale(date, quantity, reader.GetDecimal(11));
    }
}

/// <summary>What the caller of <see cref="ProcessedCsv.WriteRow"/> totals: a sale's date, its quantity and its amount (quantity × unit price).</summary>
public readonly record struct ProcessedSale(DateOnly Date, int Quantity, decimal Amount);
