using CoffeeMesh.Contracts;
using CoffeeMesh.Tests.Infrastructure;
using CoffeeMesh.Transform.Cleaning;

namespace CoffeeMesh.Tests.Transform;

/// <summary>The cleaning rules, one at a time (no servers involved).</summary>
public sealed class CleaningRuleTests
{
    private readonly SalesRowCleaner _cleaner = new(new CleaningOptions());

    private static RawSalesRow Row(string id = "12.0", string date = "2025/01/01", string time = "07:06:11", string qty = "2.0",
        string storeId = "5.0", string? location = "Lower Manhattan", string productId = "32.0", string price = "3.0",
        string category = "Coffee", string type = "Gourmet brewed coffee", string detail = "Ethiopia Rg") =>
        new(7, "raw line".AsMemory(), [.. new[] { id, date, time, qty, storeId, location, productId, price, category, type, detail }.Select(f => f.AsMemory())]);

    private SalesRow Accepted(RawSalesRow raw)
    {
        var result = _cleaner.Clean(raw);
        Assert.True(result.Row is not null, "rejected: " + string.Join(", ", result.Reasons?.Select(r => r.Code + " " + r.Detail) ?? []));
        return result.Row!;
    }

    private IReadOnlyList<string> Rejected(RawSalesRow raw)
    {
        var result = _cleaner.Clean(raw);
        Assert.Null(result.Row);
        return result.Reasons!.Select(r => r.Code).ToList();
    }

    [Fact]
    public void Transform_accepts_a_well_formed_row_and_applies_every_rule()
    {
        var row = Accepted(Row());
        Assert.Equal("12_20250101", row.TransactionId);
        Assert.Equal(new DateOnly(2025, 1, 1), row.TransactionDate);
        Assert.Equal(new TimeOnly(7, 6, 11), row.TransactionTime);
        Assert.Equal(2, row.TransactionQty);
        Assert.Equal(5, row.StoreId);
        Assert.Equal("Main Campus", row.StoreLocation);
        Assert.Equal(32, row.ProductId);
        Assert.Equal(45.00m, row.UnitPrice);
        Assert.Equal(90.00m, row.TotalAmount);
        Assert.Equal(7, row.SourceLine);
    }

    [Theory]
    [InlineData("2025/01/31", 2025, 1, 31)]
    [InlineData("2025-02-28", 2025, 2, 28)]
    [InlineData("3/7/2025", 2025, 3, 7)]
    [InlineData("12/31/2024", 2024, 12, 31)]
    public void Transform_reads_the_three_date_formats(string text, int y, int m, int d) =>
        Assert.Equal(new DateOnly(y, m, d), Accepted(Row(date: text)).TransactionDate);

    [Theory]
    [InlineData("2025/02/30")]
    [InlineData("2025/13/01")]
    [InlineData("2025-00-10")]
    [InlineData("1/32/25")]
    [InlineData("2025/1/1/1")]
    [InlineData("yesterday")]
    public void Transform_quarantines_row_with_impossible_date(string text) =>
        Assert.Equal(["invalid_date"], Rejected(Row(date: text)));

    [Fact]
    public void Transform_quarantines_row_with_missing_date() =>
        Assert.Equal(["missing_transaction_date"], Rejected(Row(date: "")));

    [Theory]
    [InlineData("7:06:11", 7, 6, 11)]
    [InlineData("23:59:59", 23, 59, 59)]
    [InlineData("07:06", 7, 6, 0)]
    public void Transform_normalises_times(string text, int h, int m, int s) =>
        Assert.Equal(new TimeOnly(h, m, s), Accepted(Row(time: text)).TransactionTime);

    [Theory]
    [InlineData("25:00:00")]
    [InlineData("12:61:00")]
    [InlineData("noon")]
    public void Transform_quarantines_row_with_impossible_time(string text) =>
        Assert.Equal(["invalid_time"], Rejected(Row(time: text)));

    [Theory]
    [InlineData("12.0", 12)]
    [InlineData("12", 12)]
    [InlineData("12.000", 12)]
    public void Transform_reads_float_ids_as_integers(string text, int expected) =>
        Assert.Equal($"{expected}_20250101", Accepted(Row(id: text)).TransactionId);

    [Theory]
    [InlineData("12.5")]
    [InlineData("abc")]
    [InlineData("-3.0")]
    [InlineData("0.0")]
    [InlineData("1e3")]
    public void Transform_quarantines_fractional_or_non_numeric_ids(string text) =>
        Assert.Equal(["invalid_transaction_id"], Rejected(Row(id: text)));

    [Theory]
    [InlineData("5.5", "invalid_store_id")]
    [InlineData("x", "invalid_store_id")]
    public void Transform_quarantines_bad_store_ids(string text, string reason) =>
        Assert.Contains(reason, Rejected(Row(storeId: text, location: "Lower Manhattan")));

    [Fact]
    public void Transform_quarantines_bad_product_ids() =>
        Assert.Equal(["invalid_product_id"], Rejected(Row(productId: "32.1")));

    [Theory]
    [InlineData("0.0")]
    [InlineData("-1.0")]
    [InlineData("1.5")]
    [InlineData("two")]
    public void Transform_quarantines_quantities_that_are_not_positive_integers(string text) =>
        Assert.Equal(["invalid_qty"], Rejected(Row(qty: text)));

    [Theory]
    [InlineData("-0.5")]
    [InlineData("abc")]
    [InlineData("3,10")]
    public void Transform_quarantines_negative_or_unreadable_prices(string text) =>
        Assert.Equal(["invalid_price"], Rejected(Row(price: text)));

    [Theory]
    [InlineData("3.1", "46.50")]     // 46.5
    [InlineData("0.0", "0.00")]
    [InlineData("2.45", "36.75")]
    [InlineData("0.033", "0.50")]   // 0.495 rounds half away from zero
    [InlineData("0.001", "0.02")]   // 0.015 → 0.02 (banker's rounding would give 0.02 too; next case differs)
    [InlineData("0.003", "0.05")]   // 0.045 → 0.05 (banker's rounding would give 0.04)
    public void Transform_converts_price_times_15_rounding_half_away_from_zero(string price, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Accepted(Row(price: price)).UnitPrice);

    [Fact]
    public void Transform_total_is_quantity_times_converted_price()
    {
        var row = Accepted(Row(qty: "3.0", price: "3.1"));
        Assert.Equal(139.50m, row.TotalAmount);
    }

    [Theory]
    [InlineData("Hell's Kitchen", "8.0", "East Campus")]
    [InlineData("Astoria", "3.0", "West Campus")]
    [InlineData("Lower Manhattan", "5.0", "Main Campus")]
    [InlineData("West Campus", "3.0", "West Campus")]
    public void Transform_renames_stores(string location, string storeId, string expected) =>
        Assert.Equal(expected, Accepted(Row(location: location, storeId: storeId)).StoreLocation);

    [Fact]
    public void Transform_fills_a_missing_store_location_from_a_known_store_id() =>
        Assert.Equal("East Campus", Accepted(Row(location: "", storeId: "8.0")).StoreLocation);

    [Fact]
    public void Transform_quarantines_a_store_id_outside_the_catalogue_whatever_its_location() =>
        Assert.Equal(["unknown_store_id"], Rejected(Row(location: "", storeId: "99.0")));

    [Fact]
    public void Transform_quarantines_a_location_that_contradicts_its_store_id() =>
        Assert.Equal(["store_location_mismatch"], Rejected(Row(location: "Astoria", storeId: "8.0")));

    [Theory]
    [InlineData("Brooklyn", "11.0", "unknown_store_id")]
    [InlineData("Astoria", "32.0", "unknown_store_id")]
    [InlineData("Brooklyn", "3.0", "unknown_store_location")]
    public void Transform_quarantines_an_unknown_store(string location, string storeId, string reason) =>
        Assert.Equal([reason], Rejected(Row(location: location, storeId: storeId)));

    [Fact]
    public void Transform_records_every_reason_of_a_row_with_several_faults()
    {
        var reasons = Rejected(Row(id: "x", date: "2025/02/30", qty: "", detail: ""));
        Assert.Equal(["missing_transaction_qty", "missing_product_detail", "invalid_transaction_id", "invalid_date"], reasons);
    }

    [Fact]
    public void Transform_quarantines_a_read_error_from_ingest_as_is()
    {
        var raw = new RawSalesRow(9, "a;b".AsMemory(), [], new RejectionReason("field_count", "expected 11 fields, found 2"));
        Assert.Equal(["field_count"], Rejected(raw));
    }

    [Fact]
    public void Transform_quarantines_over_long_text() =>
        Assert.Equal(["value_too_long"], Rejected(Row(detail: new string('x', 101))));

    [Fact]
    public void Transform_reads_the_mapping_and_factor_from_configuration()
    {
        var options = new CleaningOptions { PriceFactor = 1m, Stores = [new StoreEntry { Id = 3, SourceName = "Astoria", Name = "Queens" }] };
        var row = new SalesRowCleaner(options).Clean(Row(storeId: "3.0", location: "Astoria", price: "3.1")).Row!;
        Assert.Equal("Queens", row.StoreLocation);
        Assert.Equal(3.10m, row.UnitPrice);
    }

    private static readonly SourceFormat DayFirst = SalesRowCleaner.RawExport with { DateOrder = DateOrder.DayFirst };

    private SalesRow Accepted(RawSalesRow raw, SourceFormat format)
    {
        var result = _cleaner.Clean(raw, format);
        Assert.True(result.Row is not null, "rejected: " + string.Join(", ", result.Reasons?.Select(r => r.Code + " " + r.Detail) ?? []));
        return result.Row!;
    }

    private IReadOnlyList<string> Rejected(RawSalesRow raw, SourceFormat format) => _cleaner.Clean(raw, format).Reasons!.Select(r => r.Code).ToList();

    [Theory]
    [InlineData("2/3/26", "MonthFirst", 2026, 2, 3)]
    [InlineData("2/3/26", "DayFirst", 2026, 3, 2)]
    [InlineData("12/31/2024", "MonthFirst", 2024, 12, 31)]
    [InlineData("31/12/2024", "DayFirst", 2024, 12, 31)]
    [InlineData("30.06.23", "MonthFirst", 2023, 6, 30)]   // dotted dates are day first whatever the file's order
    [InlineData("3.2.2026", "MonthFirst", 2026, 2, 3)]
    [InlineData("14-02-2026", "MonthFirst", 2026, 2, 14)]
    [InlineData("2026-2-3", "DayFirst", 2026, 2, 3)]
    [InlineData("1/1/49", "MonthFirst", 2049, 1, 1)]      // two-digit years up to Cleaning:TwoDigitYearMax (2049)...
    [InlineData("1/1/50", "MonthFirst", 1950, 1, 1)]      // ...and the century before it above
    public void Transform_reads_every_date_shape_in_the_files_order(string text, string order, int y, int m, int d) =>
        Assert.Equal(new DateOnly(y, m, d), Accepted(Row(date: text), SalesRowCleaner.RawExport with { DateOrder = Enum.Parse<DateOrder>(order) }).TransactionDate);

    [Theory]
    [InlineData("13/5/2026", "MonthFirst")]
    [InlineData("5/13/2026", "DayFirst")]
    public void Transform_quarantines_a_date_that_contradicts_the_files_order_and_never_reads_it_the_other_way(string text, string order) =>
        Assert.Equal(["date_order_conflict"], Rejected(Row(date: text), SalesRowCleaner.RawExport with { DateOrder = Enum.Parse<DateOrder>(order) }));

    [Theory]
    [InlineData("3,5", "52.50")]
    [InlineData("0,8", "12.00")]
    [InlineData("3", "45.00")]
    public void Transform_reads_a_decimal_comma_where_the_file_uses_one(string price, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            Accepted(Row(price: price, qty: "1,0", id: "12,0", storeId: "5,0", productId: "32,0"), DayFirst with { DecimalMark = ',' }).UnitPrice);

    [Fact]
    public void Transform_quarantines_a_decimal_point_in_a_decimal_comma_file() =>
        Assert.Equal(["invalid_price"], Rejected(Row(price: "3.5", qty: "1,0", id: "12,0", storeId: "5,0", productId: "32,0"),
            SalesRowCleaner.RawExport with { DecimalMark = ',' }));

    [Theory]
    [InlineData("NULL")] [InlineData("\\N")] [InlineData("NaN")] [InlineData(" nan ")] [InlineData("None")] [InlineData("N/A")] [InlineData("n/a")] [InlineData("")]
    public void Transform_takes_missing_value_markers_as_missing(string marker)
    {
        Assert.Equal(["missing_product_detail"], Rejected(Row(detail: marker)));
        Assert.Equal(["missing_unit_price"], Rejected(Row(price: marker)));
        Assert.Equal("Main Campus", Accepted(Row(location: marker)).StoreLocation); // a missing location is filled from the catalogue
    }

    [Fact]
    public void Transform_gives_a_row_of_nothing_but_empty_fields_one_reason() =>
        Assert.Equal(["empty_row"], Rejected(Row("", "", "", "", "", "", "", "", " ", "NULL", "")));

    [Fact]
    public void Transform_keeps_a_processed_files_ids_and_prices_as_they_are()
    {
        var processed = SalesRowCleaner.RawExport with { Shape = SourceShape.Processed };
        var row = Accepted(Row(id: "7901_20250101", date: "2025-01-01", price: "45.0", location: "Main Campus"), processed);
        Assert.Equal(("7901_20250101", 45.00m, 90.00m), (row.TransactionId, row.UnitPrice, row.TotalAmount));
        Assert.Equal(["invalid_transaction_id"], Rejected(Row(id: "7901_20250102", date: "2025-01-01"), processed));
    }

    [Fact]
    public void Transform_turns_a_line_break_inside_a_text_into_one_space_and_trims_text() =>
        Assert.Equal(("Ethiopia Rg", "Scottish Cream Scone"),
            (Accepted(Row(detail: "Ethiopia \r\n Rg")).ProductDetail, Accepted(Row(detail: "Scottish Cream Scone ")).ProductDetail));

    [Theory]
    [InlineData("Ethiopia\0Rg")] [InlineData("Ethiopia\u0001")] [InlineData("\u007FEthiopia")]
    public void Transform_quarantines_control_characters_nul_included(string detail) =>
        Assert.Equal(["control_character"], Rejected(Row(detail: detail)));

    [Fact]
    public void Transform_counts_text_length_in_characters_as_MySQL_does() =>
        Assert.Equal(new string('☕', 50) + "🍩🍩", Accepted(Row(detail: new string('☕', 50) + "🍩🍩")).ProductDetail);

    [Theory]
    [InlineData("88888888", "9999", "total_out_of_range")]
    [InlineData("3000000000", "1", "qty_out_of_range")]
    public void Transform_quarantines_values_the_stores_cannot_hold(string qty, string price, string reason) =>
        Assert.Equal([reason], Rejected(Row(qty: qty, price: price)));

    [Fact]
    public void Transform_accepts_a_trailing_empty_column()
    {
        var batch = RawBatches.FromLines(["1.0;2025/01/01;06:00:45;2.0;8.0;Hell's Kitchen;76.0;0.8;Flavours;Sugar free syrup;Vanilla;"]);
        Assert.Null(Assert.Single(RawBatchParser.Parse(batch)).ReadError);
    }
}
