using CoffeeMesh.Contracts;
using CoffeeMesh.Tests.Infrastructure;
using CoffeeMesh.Transform.Cleaning;

namespace CoffeeMesh.Tests.Transform;

public sealed class BatchCleanerTests
{
    private readonly BatchCleaner _cleaner = new(new SalesRowCleaner(new CleaningOptions()));

    private static string Row(string id, string date = "2025/01/01", string qty = "1.0") =>
        $"{id};{date};08:00:00;{qty};3.0;Astoria;22.0;2.0;Coffee;Drip coffee;Our Old Time Diner Blend Sm";

    private static RawSalesBatch Batch(DateOnly? from, DateOnly? to, params string[] lines) => RawBatches.FromLines(lines, 2, from, to);

    [Fact]
    public void Every_row_read_is_accepted_quarantined_or_out_of_range()
    {
        var clean = _cleaner.Clean(Batch(new DateOnly(2025, 1, 2), null,
            Row("1.0", "2025/01/01"), Row("2.0", "2025/01/02"), Row("x", "2025/01/02"), Row("4.0", "2025/01/03")));
        Assert.Equal(4, clean.RowsRead);
        Assert.Equal(2, clean.Rows.Count);
        Assert.Single(clean.Quarantined);
        Assert.Equal(1, clean.OutOfRange);
        Assert.Equal(clean.RowsRead, clean.Rows.Count + clean.Superseded + clean.Quarantined.Count + clean.OutOfRange);
    }

    [Fact]
    public void Transform_keeps_the_later_row_of_a_duplicate_transaction_id()
    {
        var clean = _cleaner.Clean(Batch(null, null, Row("1.0", qty: "1.0"), Row("2.0"), Row("1.0", qty: "5.0")));
        Assert.Equal(2, clean.Rows.Count);
        Assert.Equal(1, clean.Superseded);
        var kept = clean.Rows.Single(r => r.TransactionId == "1_20250101");
        Assert.Equal(5, kept.TransactionQty);
        Assert.Equal(4, kept.SourceLine);
    }

    [Fact]
    public void Same_id_on_different_days_are_different_transactions()
    {
        var clean = _cleaner.Clean(Batch(null, null, Row("1.0", "2025/01/01"), Row("1.0", "2025/01/02")));
        Assert.Equal(["1_20250101", "1_20250102"], clean.Rows.Select(r => r.TransactionId));
    }

    [Fact]
    public void Quarantined_rows_keep_their_line_and_raw_text()
    {
        var clean = _cleaner.Clean(RawBatches.FromLines([Row("1.0"), Row("1.5")], firstLine: 41));
        var q = Assert.Single(clean.Quarantined);
        Assert.Equal(42, q.Line);
        Assert.Equal(Row("1.5"), q.Raw);
        Assert.Equal("invalid_transaction_id", q.Reasons.Single().Code);
    }
}
