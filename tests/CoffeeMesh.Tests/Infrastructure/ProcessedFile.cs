using System.Globalization;
using CoffeeMesh.Contracts;
using CsvHelper;

namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>
/// A processed CSV (cloud-publisher's objects, the CLI's export) read back in the test, independently
/// of the code that wrote it: its header, its rows in SalesChecksum's canonical form, and its sums.
/// </summary>
public sealed record ProcessedFile(IReadOnlyList<string> Header, IReadOnlyList<ProcessedFile.Row> Rows)
{
    public sealed record Row(string Id, DateOnly Date, TimeOnly Time, int Quantity, decimal Amount, string Line);

    public long Quantity => Rows.Sum(r => (long)r.Quantity);
    public decimal Amount => Rows.Sum(r => r.Amount);
    public (long Count, string Hash) Checksum => SalesChecksum.Of(Rows.Select(r => r.Line));

    public static ProcessedFile Parse(byte[] utf8)
    {
        using var reader = CsvReader.Create(utf8, CsvReaderOptions.Default with { HasHeader = false });
        Assert.True(reader.Read(), "no header");
        var header = Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToList();
        var rows = new List<Row>();
        while (reader.Read())
        {
            Assert.Equal(11, reader.FieldCount);
            string F(int i) => reader.GetString(i);
            int I(int i) => int.Parse(F(i), NumberStyles.None, CultureInfo.InvariantCulture);
            var date = DateOnly.ParseExact(F(1), "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var time = TimeOnly.ParseExact(F(2), "HH:mm:ss", CultureInfo.InvariantCulture);
            var price = decimal.Parse(F(7), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            var amount = I(3) * price;
            rows.Add(new Row(F(0), date, time, I(3), amount,
                SalesChecksum.Line(F(0), date, time, I(3), I(4), F(5), I(6), price, F(8), F(9), F(10), amount)));
        }
        return new ProcessedFile(header, rows);
    }

    /// <summary>The header is the old processed columns, and the rows are sorted by date and time.</summary>
    public void AssertShape()
    {
        Assert.Equal(SalesColumns.All, Header);
        for (var i = 1; i < Rows.Count; i++)
            Assert.True((Rows[i - 1].Date, Rows[i - 1].Time).CompareTo((Rows[i].Date, Rows[i].Time)) <= 0, $"row {i} is out of order");
    }
}
