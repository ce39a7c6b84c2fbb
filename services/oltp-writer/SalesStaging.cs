using System.Globalization;
using System.Text;
using CoffeeMesh.Contracts;

namespace CoffeeMesh.OltpWriter;

/// <summary>
/// Renders a batch as the tab-separated text LOAD DATA LOCAL INFILE reads (escape character '\'),
/// so a batch reaches MySQL in one round trip instead of one statement per row.
/// </summary>
public static class SalesStaging
{
    public const string Columns = "transaction_id, transaction_date, transaction_time, transaction_qty, store_id, product_id, unit_price, total_amount, source_line, row_version";

    public static MemoryStream Render(IReadOnlyList<SalesRow> rows, long ingestionNumber)
    {
        var stream = new MemoryStream(rows.Count * 96);
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        Span<char> buffer = stackalloc char[64];
        foreach (var r in rows)
        {
            WriteText(writer, r.TransactionId); writer.Write('\t');
            writer.Write(r.TransactionDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); writer.Write('\t');
            writer.Write(r.TransactionTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)); writer.Write('\t');
            Write(writer, r.TransactionQty, buffer); writer.Write('\t');
            Write(writer, r.StoreId, buffer); writer.Write('\t');
            Write(writer, r.ProductId, buffer); writer.Write('\t');
            Write(writer, r.UnitPrice, buffer); writer.Write('\t');
            Write(writer, r.TotalAmount, buffer); writer.Write('\t');
            Write(writer, r.SourceLine, buffer); writer.Write('\t');
            Write(writer, RowVersion(ingestionNumber, r.SourceLine), buffer); writer.Write('\n');
        }
        writer.Flush();
        stream.Position = 0;
        return stream;
    }

    public static long RowVersion(long ingestionNumber, long line) => (ingestionNumber << 32) + line;

    private static void Write<T>(StreamWriter w, T value, Span<char> buffer) where T : ISpanFormattable
    {
        value.TryFormat(buffer, out var n, default, CultureInfo.InvariantCulture);
        w.Write(buffer[..n]);
    }

    private static void WriteText(StreamWriter w, string s)
    {
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': w.Write("\\\\"); break;
                case '\t': w.Write("\\t"); break;
                case '\n': w.Write("\\n"); break;
                case '\r': w.Write("\\r"); break;
                default: w.Write(c); break;
            }
        }
    }
}
