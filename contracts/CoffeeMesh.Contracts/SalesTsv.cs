using System.Globalization;
using System.Text;

namespace CoffeeMesh.Contracts;

/// <summary>
/// The wire format of a clean batch's sales: tab-separated lines in <see cref="Columns"/> order,
/// escape character '\', exactly what MySQL's LOAD DATA reads. transform writes it once and
/// oltp-writer streams it into its staging table untouched: no per-row (de)serialisation.
/// </summary>
public static class SalesTsv
{
    public static readonly string[] Columns =
    [
        "transaction_id", "transaction_date", "transaction_time", "transaction_qty", "store_id", "product_id",
        "unit_price", "total_amount", "row_version",
    ];

    /// <summary>
    /// The later line of the later ingestion wins: (ingestion number &lt;&lt; 32) + source line. It is
    /// also where a stored row came from, so neither the line nor the ingestion is stored beside it.
    /// </summary>
    public static long RowVersion(long ingestionNumber, long line) => (ingestionNumber << 32) + line;

    /// <summary>The row_version range of one ingestion's rows: its number in the high 32 bits.</summary>
    public static (long From, long To) VersionRange(long ingestionNumber) =>
        (RowVersion(ingestionNumber, 0), RowVersion(ingestionNumber, uint.MaxValue));

    public static string Render(IReadOnlyList<SalesRow> rows, long ingestionNumber)
    {
        var sb = new StringBuilder(rows.Count * 80);
        Span<char> buffer = stackalloc char[64];
        foreach (var r in rows)
        {
            Text(sb, r.TransactionId).Append('\t');
            Append(sb, r.TransactionDate, "yyyy-MM-dd", buffer).Append('\t');
            Append(sb, r.TransactionTime, "HH:mm:ss", buffer).Append('\t');
            Append(sb, r.TransactionQty, null, buffer).Append('\t');
            Append(sb, r.StoreId, null, buffer).Append('\t');
            Append(sb, r.ProductId, null, buffer).Append('\t');
            Append(sb, r.UnitPrice, null, buffer).Append('\t');
            Append(sb, r.TotalAmount, null, buffer).Append('\t');
            Append(sb, RowVersion(ingestionNumber, r.SourceLine), null, buffer).Append('\n');
        }
        return sb.ToString();
    }

    private static StringBuilder Append<T>(StringBuilder sb, T value, string? format, Span<char> buffer) where T : ISpanFormattable
    {
        value.TryFormat(buffer, out var n, format, CultureInfo.InvariantCulture);
        return sb.Append(buffer[..n]);
    }

    private static StringBuilder Text(StringBuilder sb, string s)
    {
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                default: sb.Append(c); break;
            }
        }
        return sb;
    }
}
