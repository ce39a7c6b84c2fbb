using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CoffeeMesh.Tests.Infrastructure;
using MySqlConnector;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>
/// Each fault kind of issue 15 beyond the files of <c>tests/cases/shared/</c>: other columns, other
/// products, other positions in the file (the first row, rows past the batch boundaries at lines
/// 1001/1002 and 2500, the last row) and files of a few thousand rows, end to end on the real
/// servers. Every expectation is written out here (dates, times, prices, totals, reasons), never
/// computed with the production rules.
/// </summary>
/// <remarks>
/// Transaction ids are 9ssnnnn: slot ss (one per test case, listed with the case) and row nnnn, so
/// no two cases share an id; dates are in March to December 2026. Products 701-720 have the same
/// attributes in every test (the catalogue below): a test that wrote another name for one of them
/// would be a rename, not a sale, and the tests whose fault could rename a product check that every
/// sale of the catalogue's products still shows the catalogue's attributes. Stores are the
/// catalogue's 3, 5 and 8 only.
/// </remarks>
public sealed class InputKindTests(MeshFixture mesh) : MeshTests(mesh)
{
    // ---------------------------------------------------------------- 1. formats decided per file

    [Theory]
    [InlineData(1, "M/d/yy", "3/25/26", "2026-03-25", "4/3/26", "2026-04-03")]
    [InlineData(2, "M/d/yyyy", "3/25/2026", "2026-03-25", "4/3/2026", "2026-04-03")]
    [InlineData(3, "MM/dd/yyyy", "03/25/2026", "2026-03-25", "04/03/2026", "2026-04-03")]
    [InlineData(4, "d/M/yyyy", "25/3/2026", "2026-03-25", "4/3/2026", "2026-03-04")]
    [InlineData(5, "dd/MM/yyyy", "25/03/2026", "2026-03-25", "04/03/2026", "2026-03-04")]
    [InlineData(6, "d/M/yy", "25/3/26", "2026-03-25", "4/3/26", "2026-03-04")]
    [InlineData(7, "d.M.yy", "25.3.26", "2026-03-25", "4.3.26", "2026-03-04")]
    [InlineData(8, "dd.MM.yyyy", "25.03.2026", "2026-03-25", "04.03.2026", "2026-03-04")]
    [InlineData(9, "d.M.yyyy", "14.4.2026", "2026-04-14", "5.4.2026", "2026-04-05")]
    [InlineData(10, "d-M-yyyy", "25-3-2026", "2026-03-25", "4-3-2026", "2026-03-04")]
    [InlineData(11, "dd-MM-yyyy", "25-03-2026", "2026-03-25", "04-03-2026", "2026-03-04")]
    [InlineData(12, "yyyy-MM-dd", "2026-03-25", "2026-03-25", "2026-04-03", "2026-04-03")]
    [InlineData(13, "yyyy/M/d", "2026/3/25", "2026-03-25", "2026/4/3", "2026-04-03")]
    [InlineData(14, "yyyy-M-d", "2026-3-25", "2026-03-25", "2026-4-3", "2026-04-03")]
    public async Task Dates_in_each_accepted_shape_are_stored_as_the_day_they_name(
        int slot, string shape, string decisive, string decisiveIso, string other, string otherIso)
    {
        var sales = new[]
        {
            (Sale: Nth(slot, 1, Iso(decisiveIso)), Text: decisive),
            (Sale: Nth(slot, 2, Iso(otherIso)), Text: other),
            (Sale: Nth(slot, 3, Iso(otherIso)), Text: other),
            (Sale: Nth(slot, 4, Iso(decisiveIso)), Text: decisive),
        };
        var file = Write(slot, "dates", [Header(), .. sales.Select(s => Row(s.Sale, date: s.Text))]);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, shape, rowsRead: 4, accepted: 4);
        foreach (var (sale, _) in sales) await AssertStoredAsync(sale);
    }

    [Theory]
    [InlineData(15, "semicolon", "LF")]
    [InlineData(16, "semicolon", "CRLF")]
    [InlineData(17, "semicolon", "CR")]
    [InlineData(18, "comma", "LF")]
    [InlineData(19, "comma", "CRLF")]
    [InlineData(20, "comma", "CR")]
    [InlineData(21, "tab", "LF")]
    [InlineData(22, "tab", "CRLF")]
    [InlineData(23, "tab", "CR")]
    public async Task Separator_line_ending_and_time_shapes_are_read_from_the_file(int slot, string separator, string lineEnding)
    {
        var sep = Separator(separator);
        var date = new DateOnly(2026, 5, 14);
        var times = new (string Text, TimeOnly Value)[]
        {
            ("7:05:09", new(7, 5, 9)), ("07:05:09", new(7, 5, 9)), ("7:05", new(7, 5, 0)), ("17:45", new(17, 45, 0)),
            ("23:59:59", new(23, 59, 59)), ("0:00:00", new(0, 0, 0)), ("09:30", new(9, 30, 0)),
        };
        // The time shapes at the top, across the first batch boundary (records 1000 to 1006) and at the end of the file.
        var special = new Dictionary<int, (string Text, TimeOnly Value)>();
        for (var i = 0; i < times.Length; i++)
        {
            special[1 + i] = times[i];
            special[1000 + i] = times[i];
            special[1200 - i] = times[i];
        }
        var sales = new List<Sale>();
        var lines = new List<string> { Header(sep) };
        for (var n = 1; n <= 1200; n++)
        {
            var sale = Nth(slot, n, date);
            string? timeText = null;
            if (special.TryGetValue(n, out var t))
            {
                sale = sale with { Time = t.Value };
                timeText = t.Text;
            }
            sales.Add(sale);
            lines.Add(Row(sale, sep, date: "5/14/2026", time: timeText));
        }
        var file = Write(slot, "separators", lines, LineEnd(lineEnding));

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, $"{separator} {lineEnding}", rowsRead: 1200, accepted: 1200);
        Assert.Equal(1200, await CountSlotAsync(slot));
        foreach (var n in special.Keys.Append(500)) await AssertStoredAsync(sales[n - 1]);
    }

    [Theory]
    [InlineData(24, "semicolon", "CRLF")]
    [InlineData(25, "tab", "LF")]
    public async Task A_decimal_comma_is_read_where_the_separator_is_not_a_comma(int slot, string separator, string lineEnding)
    {
        var sep = Separator(separator);
        var sales = new List<Sale>();
        var lines = new List<string> { Header(sep) };
        for (var n = 1; n <= 1100; n++)
        {
            var sale = Nth(slot, n, new DateOnly(2026, 5, 1 + n % 28));
            sales.Add(sale);
            var fields = Fields(sale, date: $"{sale.Date.Day:00}.{sale.Date.Month:00}.{sale.Date.Year}", mark: ',');
            if (n % 2 == 0)
            {
                // As a spreadsheet writes the export's float columns with a decimal comma: "12,0".
                foreach (var column in new[] { Col.Id, Col.Qty, Col.StoreId, Col.ProductId }) fields[column] += ",0";
            }
            lines.Add(string.Join(sep, fields));
        }
        var file = Write(slot, "decimal-comma", lines, LineEnd(lineEnding));

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, separator, rowsRead: 1100, accepted: 1100);
        Assert.Equal(1100, await CountSlotAsync(slot));
        // Every product of the menu, with and without ",0", before and after the first batch boundary.
        foreach (var n in Enumerable.Range(1, 2 * Menu.Length).Concat(Enumerable.Range(1001, Menu.Length))) await AssertStoredAsync(sales[n - 1]);
    }

    [Fact]
    public async Task A_decimal_comma_first_seen_past_the_first_thousand_rows_is_still_a_decimal_comma()
    {
        const int slot = 93;
        // The first 1200 rows sell only whole-priced products ("2", "3"): the file's decimal mark shows from row 1201 on ("3,5").
        var sales = Enumerable.Range(1, 1500)
            .Select(n => Nth(slot, n, Day(slot)) is var s && n <= 1200 ? s with { Product = n % 2 == 0 ? HouseBlend : Ethiopia } : s)
            .ToList();
        var file = Write(slot, "decimal-comma-late", [Header(), .. sales.Select(s => Row(s, mark: ','))], "\r\n");

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, "decimal comma late", rowsRead: 1500, accepted: 1500);
        Assert.Equal(1500, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 2, 1200 }.Concat(Enumerable.Range(1201, Menu.Length)).Append(1500)) await AssertStoredAsync(sales[n - 1]);
    }

    [Theory]
    [InlineData(26, "Title Case")]
    [InlineData(27, "UPPER_CASE")]
    [InlineData(28, "CamelCase")]
    [InlineData(29, "padded and quoted")]
    public async Task Header_names_match_whatever_their_case_spaces_and_underscores(int slot, string style)
    {
        var header = style switch
        {
            "Title Case" => "Transaction ID;Transaction Date;Transaction Time;Transaction Qty;Store ID;Store Location;Product ID;Unit Price;Product Category;Product Type;Product Detail",
            "UPPER_CASE" => "TRANSACTION_ID;TRANSACTION_DATE;TRANSACTION_TIME;TRANSACTION_QTY;STORE_ID;STORE_LOCATION;PRODUCT_ID;UNIT_PRICE;PRODUCT_CATEGORY;PRODUCT_TYPE;PRODUCT_DETAIL",
            "CamelCase" => "TransactionId;TransactionDate;TransactionTime;TransactionQty;StoreId;StoreLocation;ProductId;UnitPrice;ProductCategory;ProductType;ProductDetail",
            _ => "\" Transaction_ID \"; transaction date ;\"Transaction Time\";transaction qty;  Store_Id;\"store location\";Product_ID ;unit price;Product Category;\"product type\";  PRODUCT DETAIL  ",
        };
        var sales = Enumerable.Range(1, 30).Select(n => Nth(slot, n, Day(slot))).ToList();
        var file = Write(slot, "header-names", [header, .. sales.Select(s => Row(s))]);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, style, rowsRead: 30, accepted: 30);
        foreach (var sale in sales.Take(Menu.Length + 1)) await AssertStoredAsync(sale);
    }

    [Theory]
    [InlineData(30, true, true)]
    [InlineData(31, false, true)]
    [InlineData(32, true, false)]
    public async Task A_trailing_empty_column_is_ignored(int slot, bool onHeader, bool onRows)
    {
        var sales = Enumerable.Range(1, 1100).Select(n => Nth(slot, n, Day(slot))).ToList();
        var file = Write(slot, "trailing-column",
            [Header(",") + (onHeader ? "," : ""), .. sales.Select(s => Row(s, ",") + (onRows ? "," : ""))], "\r\n");

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, $"header {onHeader}, rows {onRows}", rowsRead: 1100, accepted: 1100);
        Assert.Equal(1100, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 2, 1000, 1001, 1100 }) await AssertStoredAsync(sales[n - 1]);
    }

    // ---------------------------------------------------------------- 2. day/month order decided by the data

    [Theory]
    [InlineData(33, 1002)]
    [InlineData(34, 2600)]
    [InlineData(35, 3001)]
    public async Task Day_first_dates_are_decided_by_a_row_late_in_the_file(int slot, int decisiveLine)
    {
        // 3000 rows of 1 to 12 June written d/M/yyyy ("4/6/2026" is 4 June): only one row, 25/6/2026, tells the order.
        var (sales, lines) = OrderFile(slot, 3000, decisiveLine, day => new DateOnly(2026, 6, day), d => $"{d.Day}/{d.Month}/{d.Year}", decisiveDay: 25);
        var file = Write(slot, "day-first-late", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, $"decisive line {decisiveLine}", rowsRead: 3000, accepted: 3000);
        Assert.Equal(3000, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 3, 11, 1500, 2999, decisiveLine - 1 }) await AssertStoredAsync(sales[n - 1]);
    }

    [Theory]
    [InlineData(36, 1002)]
    [InlineData(37, 2600)]
    public async Task Month_first_dates_are_decided_by_a_row_late_in_the_file(int slot, int decisiveLine)
    {
        // 3000 rows of 1 to 12 September written M/d/yy ("9/4/26" is 4 September): only 9/25/26 tells the order.
        var (sales, lines) = OrderFile(slot, 3000, decisiveLine, day => new DateOnly(2026, 9, day), d => $"{d.Month}/{d.Day}/{d.Year % 100:00}", decisiveDay: 25);
        var file = Write(slot, "month-first-late", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, $"decisive line {decisiveLine}", rowsRead: 3000, accepted: 3000);
        Assert.Equal(3000, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 3, 11, 1500, 2999, decisiveLine - 1 }) await AssertStoredAsync(sales[n - 1]);
    }

    [Theory]
    [InlineData(38, "M/d/yyyy")]
    [InlineData(39, "MM/dd/yy")]
    public async Task A_file_whose_dates_never_tell_the_order_is_read_month_first_and_completes(int slot, string shape)
    {
        // 1500 rows, every day and month 12 or below: the default order (Cleaning:DateOrder, month first) reads them.
        var sales = Enumerable.Range(1, 1500).Select(n => Nth(slot, n, new DateOnly(2026, 3 + n % 10, 1 + n % 12))).ToList();
        string Text(DateOnly d) => shape == "M/d/yyyy" ? $"{d.Month}/{d.Day}/{d.Year}" : $"{d.Month:00}/{d.Day:00}/{d.Year % 100:00}";
        var file = Write(slot, "undecided", [Header(), .. sales.Select(s => Row(s, date: Text(s.Date)))]);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, shape, rowsRead: 1500, accepted: 1500);
        Assert.Equal(1500, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 2, 3, 9, 11, 1001, 1500 }) await AssertStoredAsync(sales[n - 1]);
    }

    [Theory]
    [InlineData(40, true)]
    [InlineData(41, false)]
    public async Task A_date_that_contradicts_the_files_order_is_quarantined_and_never_read_the_other_way(int slot, bool dayFirst)
    {
        // Every row says the file's order (a day of July above 12), except: rows that can only be read
        // the other way (lines 3 and 1100 of 1200 records) and rows that read both ways (lines 4 and 1101).
        string Text(int first, int second) => $"{first}/{second}/2026";
        string Written(DateOnly d) => dayFirst ? Text(d.Day, d.Month) : Text(d.Month, d.Day);
        var conflicts = new[] { 3, 1100 };
        var ambiguous = new[] { 4, 1101 };
        var sales = new List<Sale>();
        var lines = new List<string> { Header() };
        for (var line = 2; line <= 1201; line++)
        {
            var n = line - 1;
            if (conflicts.Contains(line))
            {
                // 20 July the other way round: "7/20/2026" in a day-first file, "20/7/2026" in a month-first one.
                var sale = Nth(slot, n, new DateOnly(2026, 7, 20));
                sales.Add(sale);
                lines.Add(Row(sale, date: dayFirst ? Text(7, 20) : Text(20, 7)));
            }
            else if (ambiguous.Contains(line))
            {
                // "8/7/2026": 8 July in a day-first file, 7 August in a month-first one.
                var sale = Nth(slot, n, dayFirst ? new DateOnly(2026, 7, 8) : new DateOnly(2026, 8, 7));
                sales.Add(sale);
                lines.Add(Row(sale, date: "8/7/2026"));
            }
            else
            {
                var sale = Nth(slot, n, new DateOnly(2026, 7, 13 + n % 16));
                sales.Add(sale);
                lines.Add(Row(sale, date: Written(sale.Date)));
            }
        }
        var file = Write(slot, "order-conflict", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, dayFirst ? "day first" : "month first", rowsRead: 1200, accepted: 1198, ("date_order_conflict", 2));
        Assert.Equal(1198, await CountSlotAsync(slot));
        foreach (var line in conflicts)
            Assert.Equal(0, await mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_id LIKE @id", ("@id", $"{sales[line - 2].Id}\\_%")));
        foreach (var line in ambiguous.Concat([2, 5, 1099, 1102, 1201])) await AssertStoredAsync(sales[line - 2]);
    }

    [Theory]
    [InlineData(91, "separator")]
    [InlineData(92, "column order")]
    public async Task Rows_after_a_repeated_header_take_part_in_the_files_date_order(int slot, string change)
    {
        // Two day-first exports (d/M/yyyy) concatenated; only the second one's rows have days above 12.
        int[] canonical = [.. Enumerable.Range(0, Columns.Length)];
        int[] order = change == "column order"
            ? [Col.Id, Col.Time, Col.Date, Col.Qty, Col.StoreId, Col.Location, Col.ProductId, Col.Price, Col.Category, Col.Type, Col.Detail]
            : canonical;
        var sep = change == "separator" ? "," : ";";
        var sales = new List<Sale>();
        var lines = new List<string> { Header() };
        for (var n = 1; n <= 600; n++)
        {
            var sale = Nth(slot, n, new DateOnly(2026, 10, 1 + n % 12));
            sales.Add(sale);
            lines.Add(Row(sale, date: $"{sale.Date.Day}/10/2026"));
        }
        lines.Add(Header(sep, order)); // line 602
        for (var n = 601; n <= 1200; n++)
        {
            var sale = Nth(slot, n, new DateOnly(2026, 10, 13 + n % 16));
            sales.Add(sale);
            lines.Add(Row(sale, sep, date: $"{sale.Date.Day}/10/2026", order: order));
        }
        var file = Write(slot, "date-order-second-export", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, change, rowsRead: 1201, accepted: 1200, ("repeated_header", 1));
        Assert.Equal(1200, await CountSlotAsync(slot));
        foreach (var n in Enumerable.Range(1, 12).Concat([600, 601, 1200])) await AssertStoredAsync(sales[n - 1]);
    }

    [Theory]
    [InlineData(42, false)]
    [InlineData(43, true)]
    public async Task Two_digit_years_are_years_of_this_century(int slot, bool dayFirst)
    {
        var dates = new[] { new DateOnly(2026, 3, 4), new DateOnly(2026, 12, 31), new DateOnly(2026, 10, 9), new DateOnly(2026, 3, 25), new DateOnly(2026, 11, 1) };
        var sales = dates.Select((d, i) => Nth(slot, i + 1, d)).ToList();
        string Text(DateOnly d) => dayFirst ? $"{d.Day}/{d.Month}/{d.Year % 100:00}" : $"{d.Month}/{d.Day}/{d.Year % 100:00}";
        var file = Write(slot, "two-digit-years", [Header(","), .. sales.Select(s => Row(s, ",", date: Text(s.Date)))], "\r\n");

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, dayFirst ? "d/M/yy" : "M/d/yy", rowsRead: 5, accepted: 5);
        foreach (var sale in sales) await AssertStoredAsync(sale);
    }

    // ---------------------------------------------------------------- 3. processed files

    [Theory]
    [InlineData(44, 3, "CRLF", "comma")]
    [InlineData(45, 2600, "LF", "comma")]
    [InlineData(94, 1100, "CRLF", "semicolon, day-first, decimal comma")]
    public async Task A_processed_file_is_stored_without_converting_anything_twice(int slot, int rows, string lineEnding, string style)
    {
        var sales = Enumerable.Range(1, rows).Select(n => Nth(slot, n, new DateOnly(2026, 8, 1 + n % 28))).ToList();
        var lines = style == "comma"
            ? [Header(","), .. sales.Select(s => Processed(s))]
            // The processed output opened and saved again by a spreadsheet set to a European locale.
            : new List<string> { Header() }.Concat(sales.Select(s => Processed(s, separator: ';', european: true))).ToList();
        var file = Write(slot, "processed", lines, LineEnd(lineEnding));

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, $"{rows} rows, {style}", rowsRead: rows, accepted: rows);
        Assert.Equal(rows, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 2, 3, 1001, 2500, 2600 }.Where(n => n <= rows)) await AssertStoredAsync(sales[n - 1]);
    }

    [Fact]
    public async Task A_processed_id_whose_day_is_not_its_transaction_date_is_quarantined()
    {
        const int slot = 46;
        var sales = Enumerable.Range(1, 1600).Select(n => Nth(slot, n, new DateOnly(2026, 8, 1 + n % 28))).ToList();
        var wrong = new[] { 2, 1500 }; // records 3 and 1501: their id names the day before
        var lines = new List<string> { Header(",") };
        for (var i = 0; i < sales.Count; i++)
            lines.Add(wrong.Contains(i) ? Processed(sales[i], idDay: sales[i].Date.AddDays(-1)) : Processed(sales[i]));
        var file = Write(slot, "processed-wrong-day", lines, "\r\n");

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, "processed", rowsRead: 1600, accepted: 1598, ("invalid_transaction_id", 2));
        Assert.Equal(1598, await CountSlotAsync(slot));
        foreach (var i in wrong)
            Assert.Equal(0, await mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_id LIKE @id", ("@id", $"{sales[i].Id}\\_%")));
        foreach (var i in new[] { 1, 3, 1499, 1501 }) await AssertStoredAsync(sales[i]);
    }

    // ---------------------------------------------------------------- 4. missing-value markers

    [Theory]
    [InlineData(47, "product_category")]
    [InlineData(48, "unit_price")]
    [InlineData(49, "transaction_qty")]
    [InlineData(50, "transaction_time")]
    [InlineData(51, "store_location")]
    [InlineData(85, "product_type")]
    [InlineData(86, "product_detail")]
    [InlineData(87, "store_id")]
    [InlineData(88, "product_id")]
    [InlineData(89, "transaction_date")]
    [InlineData(90, "transaction_id")]
    public async Task Missing_value_markers_in_any_case_and_padding_are_missing_values(int slot, string column)
    {
        var markers = new[] { "NULL", " null ", "\\N", "NaN", "nan", " NAN", "None", "NONE ", "N/A", "n/a", " N/a " };
        var index = Array.IndexOf(Columns, column);
        // 1200 rows; the markers at lines 2, 102, ..., 1002: before and after the first batch boundary.
        var sales = Enumerable.Range(1, 1200).Select(n => Nth(slot, n, Day(slot))).ToList();
        var marked = new Dictionary<int, string>();
        for (var i = 0; i < markers.Length; i++) marked[1 + i * 100] = markers[i];
        var lines = new List<string> { Header() };
        foreach (var sale in sales)
        {
            var fields = Fields(sale);
            if (marked.TryGetValue((int)(sale.Id % 10_000), out var marker)) fields[index] = marker;
            lines.Add(string.Join(';', fields));
        }
        var file = Write(slot, "markers", lines);

        var status = await mesh.IngestAsync(file);

        if (column == "store_location")
        {
            // An empty location is filled from the store id.
            await AssertOutcomeAsync(status, column, rowsRead: 1200, accepted: 1200);
            Assert.Equal(1200, await CountSlotAsync(slot));
            foreach (var n in marked.Keys) await AssertStoredAsync(sales[n - 1]);
        }
        else
        {
            await AssertOutcomeAsync(status, column, rowsRead: 1200, accepted: 1200 - markers.Length, ($"missing_{column}", markers.Length));
            Assert.Equal(1200 - markers.Length, await CountSlotAsync(slot));
            foreach (var n in marked.Keys) Assert.Null(await ReadAsync(sales[n - 1].TransactionId));
            foreach (var n in new[] { 2, 100, 102, 1002, 1200 }) await AssertStoredAsync(sales[n - 1]);
        }
        await AssertCatalogueUnchangedAsync();
    }

    // ---------------------------------------------------------------- 5. repeated headers

    [Theory]
    [InlineData(52, "1500,2500")]
    [InlineData(53, "2")]
    [InlineData(54, "1002")]
    [InlineData(55, "3002")]
    public async Task A_repeated_header_is_one_quarantined_row_wherever_it_is(int slot, string headerLines)
    {
        var at = headerLines.Split(',').Select(int.Parse).ToHashSet();
        var sales = new List<Sale>();
        var lines = new List<string> { Header() };
        while (sales.Count < 3000 || at.Contains(lines.Count + 1))
        {
            if (at.Contains(lines.Count + 1)) lines.Add(Header());
            else
            {
                var sale = Nth(slot, sales.Count + 1, Day(slot));
                sales.Add(sale);
                lines.Add(Row(sale));
            }
        }
        var file = Write(slot, "repeated-header", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, headerLines, rowsRead: 3000 + at.Count, accepted: 3000, ("repeated_header", at.Count));
        Assert.Equal(3000, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 1000, 1001, 1499, 1500, 2500, 3000 }) await AssertStoredAsync(sales[n - 1]);
    }

    [Fact]
    public async Task Rows_after_a_header_in_another_column_order_are_read_with_that_order()
    {
        const int slot = 56;
        // The second export puts the product first, its detail before its type, and the store last (issue 15's concatenated exports).
        int[] order = [Col.Id, Col.Date, Col.Time, Col.Qty, Col.ProductId, Col.Detail, Col.Type, Col.Category, Col.Price, Col.StoreId, Col.Location];
        var sales = Enumerable.Range(1, 2999).Select(n => Nth(slot, n, Day(slot))).ToList();
        var lines = new List<string> { Header() };
        lines.AddRange(sales.Take(1498).Select(s => Row(s)));
        lines.Add(Header(";", order)); // line 1500
        lines.AddRange(sales.Skip(1498).Select(s => Row(s, order: order)));
        var file = Write(slot, "reordered-header", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, "reordered", rowsRead: 3000, accepted: 2999, ("repeated_header", 1));
        Assert.Equal(2999, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 1498, 1499, 1500, 2000, 2999 }) await AssertStoredAsync(sales[n - 1]);
        Assert.Equal(0, await mesh.CountAsync("SELECT COUNT(*) FROM stores WHERE store_id BETWEEN 700 AND 799"));
        await AssertCatalogueUnchangedAsync();
    }

    [Theory]
    [InlineData(57, 800)]
    [InlineData(0, 3)]
    public async Task Rows_after_a_header_with_another_separator_are_read_with_that_separator(int slot, int headerLine)
    {
        var sales = Enumerable.Range(1, 2000).Select(n => Nth(slot, n, Day(slot))).ToList();
        var lines = new List<string> { Header() };
        lines.AddRange(sales.Take(headerLine - 2).Select(s => Row(s)));
        lines.Add(Header(","));
        lines.AddRange(sales.Skip(headerLine - 2).Select(s => Row(s, ",")));
        var file = Write(slot, "separator-header", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, $"comma header at line {headerLine}", rowsRead: 2001, accepted: 2000, ("repeated_header", 1));
        Assert.Equal(2000, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, headerLine - 2, headerLine - 1, 1000, 2000 }.Where(n => n >= 1).Distinct()) await AssertStoredAsync(sales[n - 1]);
    }

    [Fact]
    public async Task Rows_after_a_comma_header_in_a_decimal_comma_file_are_read_with_a_decimal_point()
    {
        const int slot = 58;
        // An EU export ("3,5" with ';') and then a US one ("3.5" with ',') concatenated.
        var sales = Enumerable.Range(1, 1200).Select(n => Nth(slot, n, Day(slot))).ToList();
        var lines = new List<string> { Header() };
        lines.AddRange(sales.Take(600).Select(s => Row(s, mark: ',')));
        lines.Add(Header(",")); // line 602
        lines.AddRange(sales.Skip(600).Select(s => Row(s, ",")));
        var file = Write(slot, "decimal-comma-then-comma", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, "decimal comma, then comma", rowsRead: 1201, accepted: 1200, ("repeated_header", 1));
        Assert.Equal(1200, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 2, 3, 4, 600, 601, 602, 603, 604, 605, 1200 }) await AssertStoredAsync(sales[n - 1]);
    }

    [Fact]
    public async Task An_excel_sep_line_and_a_comma_header_inside_a_semicolon_file_are_two_repeated_headers()
    {
        const int slot = 59;
        var sales = Enumerable.Range(1, 1500).Select(n => Nth(slot, n, Day(slot))).ToList();
        var lines = new List<string> { Header() };
        lines.AddRange(sales.Take(1000).Select(s => Row(s)));
        lines.Add("sep=,");      // line 1002
        lines.Add(Header(",")); // line 1003
        lines.AddRange(sales.Skip(1000).Select(s => Row(s, ",")));
        var file = Write(slot, "sep-line-inside", lines, "\r\n");

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, "sep=,", rowsRead: 1502, accepted: 1500, ("repeated_header", 2));
        Assert.Equal(1500, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 1000, 1001, 1002, 1500 }) await AssertStoredAsync(sales[n - 1]);
    }

    [Theory]
    [InlineData(95, "Title Case")]
    [InlineData(96, "trailing separator")]
    [InlineData(97, "quoted names")]
    public async Task A_repeated_header_in_another_style_of_names_is_recognised(int slot, string style)
    {
        var header = style switch
        {
            "Title Case" => "Transaction ID;Transaction Date;Transaction Time;Transaction Qty;Store ID;Store Location;Product ID;Unit Price;Product Category;Product Type;Product Detail",
            "trailing separator" => Header() + ";",
            _ => string.Join(';', Columns.Select(c => $"\"{c}\"")),
        };
        var sales = Enumerable.Range(1, 1500).Select(n => Nth(slot, n, Day(slot))).ToList();
        var lines = new List<string> { Header() };
        lines.AddRange(sales.Take(1100).Select(s => Row(s)));
        lines.Add(header); // line 1102
        lines.AddRange(sales.Skip(1100).Select(s => Row(s) + (style == "trailing separator" ? ";" : "")));
        var file = Write(slot, "repeated-header-style", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, style, rowsRead: 1501, accepted: 1500, ("repeated_header", 1));
        Assert.Equal(1500, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 1100, 1101, 1500 }) await AssertStoredAsync(sales[n - 1]);
    }

    // ---------------------------------------------------------------- 6. quoted fields with line breaks

    [Theory]
    [InlineData(60, "product_detail", 2, "LF", "LF")]
    [InlineData(61, "product_detail", 3, "LF", "LF")]
    [InlineData(62, "product_type", 2, "CRLF", "CRLF")]
    [InlineData(63, "product_type", 3, "CRLF", "CRLF")]
    [InlineData(64, "product_detail", 3, "LF", "CRLF")]
    [InlineData(65, "product_type", 2, "CRLF", "LF")]
    public async Task A_quoted_field_with_line_breaks_is_one_sale_with_each_break_made_one_space(
        int slot, string column, int lines, string inside, string lineEnding)
    {
        var brk = LineEnd(inside);
        var quoted = (column, lines) switch
        {
            ("product_detail", 2) => $"\"Kinds Jamaican{brk}Coffee River Rg\"",
            ("product_detail", _) => $"\"Kinds Jamaican{brk}Coffee River{brk}Rg\"",
            ("product_type", 2) => $"\"Premium{brk}brewed coffee\"",
            _ => $"\"Premium{brk}brewed{brk}coffee\"",
        };
        var index = Array.IndexOf(Columns, column);
        // 1100 records; a multi-line one first, as records 1000 and 1001 (across the first batch boundary) and last.
        var multiLine = new[] { 1, 1000, 1001, 1100 };
        var sales = new List<Sale>();
        var records = new List<string> { Header() };
        for (var n = 1; n <= 1100; n++)
        {
            var sale = Nth(slot, n, Day(slot));
            if (multiLine.Contains(n))
            {
                sale = sale with { Product = Jamaican };
                var fields = Fields(sale);
                fields[index] = quoted;
                records.Add(string.Join(';', fields));
            }
            else records.Add(Row(sale));
            sales.Add(sale);
        }
        var file = Write(slot, "quoted-line-breaks", records, LineEnd(lineEnding));

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, $"{column} {lines} lines", rowsRead: 1100, accepted: 1100);
        Assert.Equal(1100, await CountSlotAsync(slot));
        foreach (var n in multiLine.Concat([2, 999, 1002, 1099])) await AssertStoredAsync(sales[n - 1]);
        await AssertCatalogueUnchangedAsync();
    }

    [Theory]
    [InlineData(66, 2, "product_detail")]
    [InlineData(67, 40, "product_category")]
    [InlineData(68, 1001, "product_type")]
    [InlineData(69, 2999, "product_detail")]
    public async Task A_stray_quote_quarantines_only_its_own_line(int slot, int line, string column)
    {
        var index = Array.IndexOf(Columns, column);
        var sales = new List<Sale>();
        var lines = new List<string> { Header() };
        var n = 0;
        while (lines.Count < 3001)
        {
            if (lines.Count + 1 == line)
            {
                // A quote opens the field and is never closed: "Kinds Oatmeal Scone;... to the end of the file.
                var fields = Fields(Nth(slot, 9999, Day(slot)) with { Product = Scone });
                fields[index] = "\"" + fields[index];
                lines.Add(string.Join(';', fields));
                continue;
            }
            var sale = Nth(slot, ++n, Day(slot));
            sales.Add(sale);
            lines.Add(Row(sale));
        }
        var file = Write(slot, "stray-quote", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, $"line {line}", rowsRead: 3000, accepted: 2999, ("unbalanced_quote", 1));
        Assert.Equal(2999, await CountSlotAsync(slot));
        Assert.Null(await ReadAsync(Nth(slot, 9999, Day(slot)).TransactionId));
        // The rows right after the stray quote (the ones a quoted field would have swallowed) are stored as they are.
        var after = line - 1; // the sale on the line after the stray one
        foreach (var k in new[] { 1, after - 1, after, after + 1, after + 9, after + 10, 2999 }.Where(k => k >= 1 && k <= 2999).Distinct())
            await AssertStoredAsync(sales[k - 1]);
        await AssertCatalogueUnchangedAsync();
    }

    [Fact]
    public async Task A_stray_quote_quarantines_only_its_own_line_even_when_a_later_line_holds_a_quote()
    {
        const int slot = 98;
        // Every tenth sale is a 12" mug: a quote inside an unquoted field, which is text. The rows are
        // written short (M/d/yy, H:mm:ss, the location left to the store id) as some exports are.
        var sales = Enumerable.Range(1, 1199).Select(n => Nth(slot, n, Day(slot)) is var s && n % 10 == 9 ? s with { Product = Mug } : s).ToList();
        var stray = Nth(slot, 9999, Day(slot)) with { Product = Scone };
        var lines = new List<string> { Header() };
        lines.AddRange(sales.Take(38).Select(s => ShortRow(s)));
        lines.Add(ShortRow(stray, detail: "\"" + stray.Product.Detail)); // line 40: a quote opens product_detail and is never closed
        lines.AddRange(sales.Skip(38).Select(s => ShortRow(s)));         // line 41 sells a mug
        var file = Write(slot, "stray-quote-then-inch-mark", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, "stray quote, then a mug", rowsRead: 1200, accepted: 1199, ("unbalanced_quote", 1));
        Assert.Equal(1199, await CountSlotAsync(slot));
        Assert.Null(await ReadAsync(stray.TransactionId));
        foreach (var n in new[] { 38, 39, 40, 49, 1199 }) await AssertStoredAsync(sales[n - 1]);
        await AssertCatalogueUnchangedAsync();
    }

    // ---------------------------------------------------------------- 7. empty rows

    [Theory]
    [InlineData(70, "comma", ",,,,,,,,,,")]
    [InlineData(71, "semicolon", " ; ; ; ; ; ; ; ; ; ; ")]
    [InlineData(72, "semicolon", "NULL;NULL;\\N;NaN;None;N/A;null;nan;NULL; n/a ;NULL")]
    [InlineData(73, "tab", "\t\t\t\t\t\t\t\t\t\t")]
    [InlineData(74, "semicolon", ";;;;;;;;;;;")]
    public async Task An_empty_row_is_one_empty_row_reason(int slot, string separator, string empty)
    {
        var sep = Separator(separator);
        var at = new[] { 2, 1002, 1103 };
        var sales = new List<Sale>();
        var lines = new List<string> { Header(sep) };
        while (lines.Count < 1103)
        {
            if (at.Contains(lines.Count + 1)) lines.Add(empty);
            else
            {
                var sale = Nth(slot, sales.Count + 1, Day(slot));
                sales.Add(sale);
                lines.Add(Row(sale, sep));
            }
        }
        var file = Write(slot, "empty-rows", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, separator, rowsRead: 1102, accepted: 1099, ("empty_row", 3));
        Assert.Equal(1099, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 1000, 1001, 1099 }) await AssertStoredAsync(sales[n - 1]);
    }

    // ---------------------------------------------------------------- 8. store catalogue

    [Theory]
    [InlineData(75, "4", "Astoria")]
    [InlineData(76, "32", "Lower Manhattan")]
    [InlineData(77, "4.0", "")]
    [InlineData(78, "32", "Main Campus")]
    [InlineData(79, "4", "NULL")]
    public async Task A_store_id_outside_the_catalogue_is_quarantined_whatever_name_it_carries(int slot, string storeId, string location)
    {
        var sales = Enumerable.Range(1, 40).Select(n => Nth(slot, n, Day(slot))).ToList();
        var bad = new[] { 1, 20, 40 };
        var lines = new List<string> { Header() };
        foreach (var sale in sales)
        {
            var fields = Fields(sale);
            if (bad.Contains((int)(sale.Id % 10_000)))
            {
                fields[Col.StoreId] = storeId;
                fields[Col.Location] = location;
            }
            lines.Add(string.Join(';', fields));
        }
        var file = Write(slot, "unknown-store", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, $"{storeId} '{location}'", rowsRead: 40, accepted: 37, ("unknown_store_id", 3));
        Assert.Equal(37, await CountSlotAsync(slot));
        foreach (var n in bad) Assert.Null(await ReadAsync(sales[n - 1].TransactionId));
        Assert.Equal(0, await mesh.CountAsync("SELECT COUNT(*) FROM stores WHERE store_id IN (4, 32)"));
    }

    // ---------------------------------------------------------------- 9. control characters

    [Theory]
    [InlineData(80, "NUL", "\0")]
    [InlineData(81, "U+0001", "\u0001")]
    [InlineData(82, "U+007F", "\u007F")]
    public async Task A_control_character_in_a_text_column_quarantines_its_row_and_the_file_is_read(int slot, string name, string character)
    {
        // Line 2 (inside the first 8 KiB, where a binary file is recognised) and lines past 1500.
        var bad = new Dictionary<int, (int Column, string Text)>
        {
            [1] = (Col.Detail, $"Kinds Oatmeal{character} Scone"),
            [2] = (Col.Category, $"Bak{character}ery"),
            [1600] = (Col.Category, $"{character}Coffee"),
            [1700] = (Col.Detail, $"Kinds Ethiopia Rg{character}"),
            [1800] = (Col.Type, $"Drip{character}coffee"),
        };
        var sales = Enumerable.Range(1, 2000).Select(n => Nth(slot, n, Day(slot))).ToList();
        var lines = new List<string> { Header() };
        foreach (var sale in sales)
        {
            var fields = Fields(sale);
            if (bad.TryGetValue((int)(sale.Id % 10_000), out var b)) fields[b.Column] = b.Text;
            lines.Add(string.Join(';', fields));
        }
        var file = Write(slot, "control-characters", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, name, rowsRead: 2000, accepted: 2000 - bad.Count, ("control_character", bad.Count));
        Assert.Equal(2000 - bad.Count, await CountSlotAsync(slot));
        foreach (var n in bad.Keys) Assert.Null(await ReadAsync(sales[n - 1].TransactionId));
        foreach (var n in new[] { 3, 1599, 1601, 2000 }) await AssertStoredAsync(sales[n - 1]);
        await AssertCatalogueUnchangedAsync();
    }

    [Fact]
    public async Task A_carriage_return_inside_a_field_of_an_LF_file_never_stores_a_truncated_name()
    {
        const int slot = 99;
        // An LF file; one sale's product_detail holds a bare CR (text pasted from an old Mac program).
        // Reading it as one record (the CR made a space) or quarantining it are both right; storing
        // "Kinds Oatmeal" as the scone's name is not.
        var sales = Enumerable.Range(1, 1200).Select(n => Nth(slot, n, Day(slot)) is var s && n == 499 ? s with { Product = Scone } : s).ToList();
        var lines = new List<string> { Header() };
        foreach (var sale in sales)
        {
            var fields = Fields(sale);
            if (sale == sales[498]) fields[Col.Detail] = "Kinds Oatmeal\rScone";
            lines.Add(string.Join(';', fields));
        }
        var file = Write(slot, "bare-cr", lines);

        var status = await mesh.IngestAsync(file);

        Assert.True(status["state"]?.GetValue<string>() == "completed", status.ToJsonString());
        var scone = await ReadAsync(sales[498].TransactionId);
        Assert.True(scone is null || scone == sales[498].Expected, $"sale {sales[498].TransactionId} stored as {scone}: {status.ToJsonString()}");
        Assert.Equal(scone is null ? 1199 : 1200, await CountSlotAsync(slot));
        foreach (var n in new[] { 1, 498, 500, 1200 }) await AssertStoredAsync(sales[n - 1]);
        await AssertCatalogueUnchangedAsync();
    }

    // ---------------------------------------------------------------- 10. ranges of the stores' columns

    [Fact]
    public async Task A_total_beyond_decimal_14_2_is_quarantined_wherever_it_is_and_the_rest_of_its_batch_is_stored()
    {
        const int slot = 83;
        // 88888888 gold bars at 9999 (149985.00 converted): 13.3 trillion, beyond DECIMAL(14,2).
        var huge = new[] { 1, 1000, 1001, 1500, 2500, 2600 };
        var sales = Enumerable.Range(1, 2600).Select(n => Nth(slot, n, Day(slot))).ToList();
        // The largest quantity and amount that fit are stored.
        sales[1] = sales[1] with { Product = GoldBar, Qty = 6_666_666 };            // 999,899,900,010.00
        sales[2] = sales[2] with { Product = HouseBlend, Qty = int.MaxValue };      // 64,424,509,410.00
        var lines = new List<string> { Header() };
        foreach (var sale in sales)
            lines.Add(huge.Contains((int)(sale.Id % 10_000)) ? Row(sale with { Product = GoldBar, Qty = 88_888_888 }) : Row(sale));
        var file = Write(slot, "total-out-of-range", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, "total", rowsRead: 2600, accepted: 2600 - huge.Length, ("total_out_of_range", huge.Length));
        Assert.Equal(2600 - huge.Length, await CountSlotAsync(slot));
        foreach (var n in huge) Assert.Null(await ReadAsync(sales[n - 1].TransactionId));
        foreach (var n in new[] { 2, 3, 999, 1002, 1499, 1501, 2499, 2501, 2599 }) await AssertStoredAsync(sales[n - 1]);
    }

    [Fact]
    public async Task A_quantity_beyond_an_int_is_quarantined_as_qty_out_of_range()
    {
        const int slot = 84;
        var tooMany = new Dictionary<int, string> { [1] = "2147483648", [1001] = "2147483648.0", [1200] = "99999999999" };
        var sales = Enumerable.Range(1, 1200).Select(n => Nth(slot, n, Day(slot))).ToList();
        var lines = new List<string> { Header() };
        foreach (var sale in sales)
        {
            var fields = Fields(sale);
            if (tooMany.TryGetValue((int)(sale.Id % 10_000), out var qty)) fields[Col.Qty] = qty;
            lines.Add(string.Join(';', fields));
        }
        var file = Write(slot, "qty-out-of-range", lines);

        var status = await mesh.IngestAsync(file);

        await AssertOutcomeAsync(status, "qty", rowsRead: 1200, accepted: 1197, ("qty_out_of_range", 3));
        Assert.Equal(1197, await CountSlotAsync(slot));
        foreach (var n in tooMany.Keys) Assert.Null(await ReadAsync(sales[n - 1].TransactionId));
        foreach (var n in new[] { 2, 1000, 1002, 1199 }) await AssertStoredAsync(sales[n - 1]);
    }

    // ================================================================ the test data

    private sealed record Product(int Id, string Category, string Type, string Detail, decimal Price)
    {
        /// <summary>The price as stored: the source price × 15, rounded half away from zero.</summary>
        public decimal Stored => decimal.Round(Price * 15m, 2, MidpointRounding.AwayFromZero);
    }

    private sealed record Store(int Id, string Source, string Name);

    // The catalogue: every test writes these products and stores with these attributes, and no others.
    private static readonly Product HouseBlend = new(701, "Coffee", "Drip coffee", "Kinds House Blend Sm", 2m);                 // 30.00
    private static readonly Product Ethiopia = new(702, "Coffee", "Gourmet brewed coffee", "Kinds Ethiopia Rg", 3m);            // 45.00
    private static readonly Product Chai = new(703, "Tea", "Brewed Chai tea", "Kinds Spicy Eye Opener Chai Lg", 3.1m);          // 46.50
    private static readonly Product Scone = new(704, "Bakery", "Scone", "Kinds Oatmeal Scone", 3.5m);                          // 52.50
    private static readonly Product Cappuccino = new(705, "Coffee", "Barista Espresso", "Kinds Cappuccino Lg", 4.25m);          // 63.75
    private static readonly Product Peppermint = new(706, "Tea", "Brewed herbal tea", "Kinds Peppermint Lg", 2.55m);            // 38.25
    private static readonly Product Biscotti = new(707, "Bakery", "Biscotti", "Kinds Ginger Biscotti", 3.33m);                  // 49.95
    private static readonly Product Jamaican = new(708, "Coffee", "Premium brewed coffee", "Kinds Jamaican Coffee River Rg", 3.75m); // 56.25
    private static readonly Product Mug = new(710, "Branded", "Housewares", "Kinds 12\" Mug", 14m);                              // 210.00
    private static readonly Product GoldBar = new(720, "Branded", "Collectibles", "Kinds Gold Bar", 9999m);                      // 149985.00
    private static readonly Product[] Menu = [HouseBlend, Ethiopia, Chai, Scone, Cappuccino, Peppermint, Biscotti];
    private static readonly Product[] Catalogue = [.. Menu, Jamaican, Mug, GoldBar];

    private static readonly Store Astoria = new(3, "Astoria", "West Campus");
    private static readonly Store LowerManhattan = new(5, "Lower Manhattan", "Main Campus");
    private static readonly Store HellsKitchen = new(8, "Hell's Kitchen", "East Campus");
    private static readonly Store[] Stores = [Astoria, LowerManhattan, HellsKitchen];

    private static readonly string[] Columns =
    [
        "transaction_id", "transaction_date", "transaction_time", "transaction_qty", "store_id", "store_location",
        "product_id", "unit_price", "product_category", "product_type", "product_detail",
    ];

    private static class Col
    {
        public const int Id = 0, Date = 1, Time = 2, Qty = 3, StoreId = 4, Location = 5, ProductId = 6, Price = 7, Category = 8, Type = 9, Detail = 10;
    }

    /// <summary>One sale as a test writes it, and what sales_data must show for it.</summary>
    private sealed record Sale(long Id, DateOnly Date, TimeOnly Time, int Qty, Store Store, Product Product)
    {
        public string TransactionId => $"{Id}_{Date:yyyyMMdd}";
        public Stored Expected => new(Date, Time, Qty, Store.Id, Store.Name, Product.Id, Product.Stored,
            Product.Category, Product.Type, Product.Detail, Qty * Product.Stored);
    }

    /// <summary>A row of sales_data.</summary>
    private sealed record Stored(DateOnly Date, TimeOnly Time, int Qty, int StoreId, string Location, int ProductId, decimal UnitPrice,
        string Category, string Type, string Detail, decimal Total);

    private static long Id(int slot, int n) => 9_000_000 + slot * 10_000 + n;

    /// <summary>The slot's own day, from March 2026 on.</summary>
    private static DateOnly Day(int slot) => new DateOnly(2026, 3, 1).AddDays(slot * 3);

    private static DateOnly Iso(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The n-th plain sale of a slot: products, stores, quantities and times vary with n.</summary>
    private static Sale Nth(int slot, int n, DateOnly date) =>
        new(Id(slot, n), date, new TimeOnly(6, 0).Add(TimeSpan.FromSeconds(7 * n)), 1 + n % 3, Stores[n % 3], Menu[n % Menu.Length]);

    private static string Separator(string name) => name switch { "semicolon" => ";", "comma" => ",", "tab" => "\t", _ => name };

    private static string LineEnd(string name) => name switch { "CRLF" => "\r\n", "CR" => "\r", _ => "\n" };

    private static string Header(string sep = ";", int[]? order = null) =>
        string.Join(sep, (order ?? Enumerable.Range(0, Columns.Length)).Select(c => Columns[c]));

    /// <summary>A raw export's fields, canonical order: date yyyy/MM/dd and time HH:mm:ss unless given.</summary>
    private static string[] Fields(Sale s, string? date = null, string? time = null, char mark = '.') =>
    [
        s.Id.ToString(CultureInfo.InvariantCulture),
        date ?? s.Date.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture),
        time ?? s.Time.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
        s.Qty.ToString(CultureInfo.InvariantCulture),
        s.Store.Id.ToString(CultureInfo.InvariantCulture),
        s.Store.Source,
        s.Product.Id.ToString(CultureInfo.InvariantCulture),
        s.Product.Price.ToString(CultureInfo.InvariantCulture).Replace('.', mark),
        s.Product.Category,
        s.Product.Type,
        s.Product.Detail,
    ];

    private static string Row(Sale s, string sep = ";", string? date = null, string? time = null, char mark = '.', int[]? order = null)
    {
        var fields = Fields(s, date, time, mark);
        return string.Join(sep, (order ?? Enumerable.Range(0, Columns.Length)).Select(c => fields[c]));
    }

    /// <summary>A raw row written short: M/d/yy, H:mm:ss, no store location (it is filled from the store id).</summary>
    private static string ShortRow(Sale s, string? detail = null) => string.Join(';',
        s.Id.ToString(CultureInfo.InvariantCulture), $"{s.Date.Month}/{s.Date.Day}/{s.Date.Year % 100:00}",
        s.Time.ToString("H:mm:ss", CultureInfo.InvariantCulture), s.Qty.ToString(CultureInfo.InvariantCulture),
        s.Store.Id.ToString(CultureInfo.InvariantCulture), "", s.Product.Id.ToString(CultureInfo.InvariantCulture),
        s.Product.Price.ToString(CultureInfo.InvariantCulture), s.Product.Category, s.Product.Type, detail ?? s.Product.Detail);

    /// <summary>A row of the old pipeline's processed output: id with its day, ISO date, price converted, store renamed.</summary>
    /// <param name="european">Dates dd.MM.yyyy and decimal commas, as a spreadsheet in a European locale saves the file again.</param>
    private static string Processed(Sale s, DateOnly? idDay = null, char separator = ',', bool european = false) => string.Join(separator,
        $"{s.Id}_{(idDay ?? s.Date):yyyyMMdd}",
        s.Date.ToString(european ? "dd.MM.yyyy" : "yyyy-MM-dd", CultureInfo.InvariantCulture),
        s.Time.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
        european ? $"{s.Qty},0" : $"{s.Qty}.0",
        s.Store.Id.ToString(CultureInfo.InvariantCulture), s.Store.Name, s.Product.Id.ToString(CultureInfo.InvariantCulture),
        s.Product.Stored.ToString("0.0#", CultureInfo.InvariantCulture).Replace('.', european ? ',' : '.'),
        s.Product.Category, s.Product.Type, s.Product.Detail);

    /// <summary>
    /// A file of <paramref name="rows"/> sales whose days are 1 to 12 (undecidable), but for the one on
    /// <paramref name="decisiveLine"/>, whose day is <paramref name="decisiveDay"/>.
    /// </summary>
    private static (List<Sale> Sales, List<string> Lines) OrderFile(int slot, int rows, int decisiveLine, Func<int, DateOnly> date,
        Func<DateOnly, string> text, int decisiveDay)
    {
        var sales = new List<Sale>();
        var lines = new List<string> { Header() };
        for (var n = 1; n <= rows; n++)
        {
            var sale = Nth(slot, n, date(n + 1 == decisiveLine ? decisiveDay : 1 + n % 12));
            sales.Add(sale);
            lines.Add(Row(sale, date: text(sale.Date)));
        }
        return (sales, lines);
    }

    /// <summary>Writes the lines, each followed by <paramref name="eol"/>, as UTF-8 under landing/kinds/; the relative path.</summary>
    private string Write(int slot, string name, IEnumerable<string> lines, string eol = "\n")
    {
        var relative = Path.Combine("kinds", $"{slot:00}-{name}.csv");
        var path = Path.Combine(mesh.Landing, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + eol))));
        return relative;
    }

    // ================================================================ assertions

    /// <summary>
    /// The ingestion completed, read <paramref name="rowsRead"/> rows, quarantined exactly the given
    /// reasons, stored the accepted rows in MySQL and the same facts in the star schema.
    /// </summary>
    private async Task AssertOutcomeAsync(JsonObject status, string what, long rowsRead, long accepted, params (string Reason, long Count)[] quarantined)
    {
        var json = status.ToJsonString();
        Assert.True(status["state"]?.GetValue<string>() == "completed", $"{what}: not completed: {json}");
        Assert.True(status["rows_read"]?.GetValue<long>() == rowsRead, $"{what}: rows_read should be {rowsRead}: {json}");
        var expected = Show(quarantined.Select(q => (q.Reason, q.Count)));
        var actual = Show(status["quarantined_by_reason"]!.AsObject().Select(kv => (kv.Key, kv.Value!.GetValue<long>())));
        Assert.True(expected == actual, $"{what}: quarantined_by_reason should be {{{expected}}}, was {{{actual}}}: {json}");
        Assert.True(status["accepted"]?.GetValue<long>() == accepted, $"{what}: accepted should be {accepted}: {json}");
        Assert.True(status["quarantined"]?.GetValue<long>() == rowsRead - accepted, $"{what}: quarantined should be {rowsRead - accepted}: {json}");
        Assert.True(status["stored_oltp"]?.GetValue<long>() == accepted, $"{what}: stored_oltp should be {accepted}: {json}");
        Assert.True(status["balanced"]?.GetValue<bool>() == true, $"{what}: not balanced: {json}");
        await mesh.AssertStarSchemaMatchesAsync(status);
    }

    private static string Show(IEnumerable<(string Reason, long Count)> counts) =>
        string.Join(", ", counts.OrderBy(c => c.Reason, StringComparer.Ordinal).Select(c => $"{c.Reason}: {c.Count}"));

    private async Task AssertStoredAsync(Sale sale) => Assert.Equal(sale.Expected, await ReadAsync(sale.TransactionId));

    /// <summary>The sale as the legacy sales_data view shows it; null when there is none.</summary>
    private async Task<Stored?> ReadAsync(string transactionId)
    {
        await using var c = await mesh.OpenOltpAsync();
        await using var cmd = new MySqlCommand(
            "SELECT transaction_date, transaction_time, transaction_qty, store_id, store_location, product_id, unit_price, " +
            "product_category, product_type, product_detail, total_amount FROM sales_data WHERE transaction_id = @t", c);
        cmd.Parameters.AddWithValue("@t", transactionId);
        await using var r = await cmd.ExecuteReaderAsync();
        if (!await r.ReadAsync()) return null;
        return new Stored(DateOnly.FromDateTime(r.GetDateTime(0)), TimeOnly.FromTimeSpan(r.GetTimeSpan(1)), r.GetInt32(2), r.GetInt32(3),
            r.GetString(4), r.GetInt32(5), r.GetDecimal(6), r.GetString(7), r.GetString(8), r.GetString(9), r.GetDecimal(10));
    }

    /// <summary>How many sales the slot's ids have in MySQL (ids are seven digits, so they sort as numbers; '~' sorts after any date).</summary>
    private Task<long> CountSlotAsync(int slot) =>
        mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_id >= @lo AND transaction_id <= @hi AND CHAR_LENGTH(transaction_id) = 16",
            ("@lo", Id(slot, 0).ToString(CultureInfo.InvariantCulture)), ("@hi", Id(slot, 9999).ToString(CultureInfo.InvariantCulture) + "_~"));

    /// <summary>Every sale of the catalogue's products, in any test, still shows the catalogue's attributes: no row renamed one.</summary>
    private async Task AssertCatalogueUnchangedAsync()
    {
        await using var c = await mesh.OpenOltpAsync();
        await using var cmd = new MySqlCommand(
            "SELECT DISTINCT product_id, product_category, product_type, product_detail, unit_price FROM sales_data WHERE product_id BETWEEN 700 AND 799", c);
        await using var r = await cmd.ExecuteReaderAsync();
        var catalogue = Catalogue.ToDictionary(p => p.Id);
        while (await r.ReadAsync())
        {
            var shown = (r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetDecimal(4));
            Assert.True(catalogue.TryGetValue(shown.Item1, out var p), $"product {shown.Item1} is not in the catalogue");
            Assert.Equal((p.Id, p.Category, p.Type, p.Detail, p.Stored), shown);
        }
    }
}
