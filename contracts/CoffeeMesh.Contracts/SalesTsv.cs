using System.Buffers;
using System.Globalization;
using System.Text;

namespace CoffeeMesh.Contracts;

/// <summary>
/// The wire format of a clean batch's sales: tab-separated lines in <see cref="Columns"/> order,
/// escape character '\', exactly what MySQL's LOAD DATA reads. transform writes it once and
/// oltp-writer streams it into its staging table untouched: no per-row (de)serialisation. The last
/// two fields index the batch's store and product runs (<see cref="AttributeRuns"/>); LOAD DATA
/// reads them into user variables and stores the versions' surrogate keys.
/// </summary>
public static class SalesTsv
{
    public static readonly string[] Columns =
    [
        "transaction_id", "transaction_date", "transaction_time", "transaction_qty", "store_id", "product_id",
        "unit_price", "total_amount", "row_version", "@store_ref", "@product_ref",
    ];

    /// <summary>
    /// The later line of the later ingestion wins: (ingestion number &lt;&lt; 32) + source line. It is
    /// also where a stored row came from, so neither the line nor the ingestion is stored beside it.
    /// </summary>
    public static long RowVersion(long ingestionNumber, long line) => (ingestionNumber << 32) + line;

    /// <summary>The row_version range of one ingestion's rows: its number in the high 32 bits.</summary>
    public static (long From, long To) VersionRange(long ingestionNumber) =>
        (RowVersion(ingestionNumber, 0), RowVersion(ingestionNumber, uint.MaxValue));

    /// <summary>How many fields the first line of a batch's TSV has (0 for none): a writer refuses a batch of another format.</summary>
    public static int FieldCount(string tsv)
    {
        var end = tsv.IndexOf('\n');
        var line = end < 0 ? tsv.AsSpan() : tsv.AsSpan(0, end);
        return line.IsEmpty ? 0 : line.Count('\t') + 1;
    }

    /// <summary>The rows as TSV, each with its store and product run (computed here when not given).</summary>
    public static string Render(IReadOnlyList<SalesRow> rows, long ingestionNumber, AttributeRuns? runs = null)
    {
        runs ??= AttributeRuns.Of(rows, ingestionNumber);
        var sb = new StringBuilder(rows.Count * 84);
        Span<char> buffer = stackalloc char[64];
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            Text(sb, r.TransactionId).Append('\t');
            // Dates and times by hand: the general "yyyy-MM-dd" formatter was a large share of transform's time.
            var d = r.TransactionDate;
            Digits(sb, d.Year, 4).Append('-');
            Digits(sb, d.Month, 2).Append('-');
            Digits(sb, d.Day, 2).Append('\t');
            var t = r.TransactionTime;
            Digits(sb, t.Hour, 2).Append(':');
            Digits(sb, t.Minute, 2).Append(':');
            Digits(sb, t.Second, 2).Append('\t');
            Append(sb, r.TransactionQty, buffer).Append('\t');
            Append(sb, r.StoreId, buffer).Append('\t');
            Append(sb, r.ProductId, buffer).Append('\t');
            Append(sb, r.UnitPrice, buffer).Append('\t');
            Append(sb, r.TotalAmount, buffer).Append('\t');
            Append(sb, RowVersion(ingestionNumber, r.SourceLine), buffer).Append('\t');
            Append(sb, runs.StoreRefs[i], buffer).Append('\t');
            Append(sb, runs.ProductRefs[i], buffer).Append('\n');
        }
        return sb.ToString();
    }

    private static StringBuilder Append<T>(StringBuilder sb, T value, Span<char> buffer) where T : ISpanFormattable
    {
        value.TryFormat(buffer, out var n, default, CultureInfo.InvariantCulture);
        return sb.Append(buffer[..n]);
    }

    /// <summary>A non-negative number in exactly <paramref name="width"/> digits, zero-padded.</summary>
    private static StringBuilder Digits(StringBuilder sb, int value, int width)
    {
        Span<char> digits = stackalloc char[width];
        for (var i = width - 1; i >= 0; i--, value /= 10) digits[i] = (char)('0' + value % 10);
        return sb.Append(digits);
    }

    private static readonly SearchValues<char> Escaped = SearchValues.Create("\\\t\n\r");

    private static StringBuilder Text(StringBuilder sb, string s)
    {
        if (!s.AsSpan().ContainsAny(Escaped)) return sb.Append(s);
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
