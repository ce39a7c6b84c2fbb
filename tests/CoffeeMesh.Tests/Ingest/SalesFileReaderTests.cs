using System.Text;
using CoffeeMesh.Contracts;
using CoffeeMesh.Ingest.Reading;
using CoffeeMesh.Tests.Infrastructure;
using CoffeeMesh.Transform.Cleaning;

namespace CoffeeMesh.Tests.Ingest;

/// <summary>Reading raw files: formats, layouts, broken input and resuming mid-file.</summary>
public sealed class SalesFileReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coffeemesh-reader-").FullName;
    private readonly SalesFileReader _reader = new(maxLineBytes: 64 * 1024, maxRecordBytes: 8 * 1024 * 1024);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, byte[] content)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    private string File(string name, string content) => File(name, Encoding.UTF8.GetBytes(content));

    private async Task<List<ReadChunk>> ReadAll(string path, int batchSize = 1000, ReadPosition? start = null, SourceFormat? layout = null, long? end = null)
    {
        var chunks = new List<ReadChunk>();
        await foreach (var c in _reader.ReadAsync(path, start ?? new ReadPosition(0, 1), end ?? new FileInfo(path).Length, layout, batchSize, CancellationToken.None))
            chunks.Add(c);
        return chunks;
    }

    private static List<RawSalesRow> Rows(List<ReadChunk> chunks) => chunks.SelectMany(RawBatches.Rows).ToList();

    [Fact]
    public async Task Ingest_reads_semicolon_raw_exports_with_line_numbers()
    {
        var rows = Rows(await ReadAll(File("a.csv", Csv.Header + Csv.Row(1) + Csv.Row(2))));
        Assert.Equal([2L, 3L], rows.Select(r => r.Line));
        Assert.Equal("1.0", rows[0].Field(0));
        Assert.Equal("Test blend Rg", rows[0].Field(10));
        Assert.Null(rows[0].ReadError);
    }

    [Fact]
    public async Task Ingest_detects_a_comma_separated_processed_file()
    {
        var content = Csv.Header.Replace(';', ',') + Csv.Row(1).Replace(';', ',');
        var chunks = await ReadAll(File("p.csv", content));
        Assert.Equal(',', chunks[0].Layout.Separator);
        Assert.Equal("Lower Manhattan", Rows(chunks)[0].Field(5));
    }

    [Fact]
    public async Task Ingest_maps_columns_by_header_name_in_any_order()
    {
        var header = "product_detail;transaction_id;TRANSACTION_DATE;transaction_time;transaction_qty;store_id;store_location;product_id;unit_price;product_category;product_type;comment\n";
        var line = "Ethiopia Rg;5.0;2025/01/01;07:00:00;1.0;3.0;Astoria;32.0;3.0;Coffee;Gourmet brewed coffee;extra\n";
        var row = Rows(await ReadAll(File("o.csv", header + line))).Single();
        Assert.Equal(["5.0", "2025/01/01", "07:00:00", "1.0", "3.0", "Astoria", "32.0", "3.0", "Coffee", "Gourmet brewed coffee", "Ethiopia Rg"], row.Fields.Select(f => f.ToString()));
    }

    [Fact]
    public async Task Ingest_fails_a_source_missing_a_required_column_and_names_it()
    {
        var header = Csv.Header.Replace("unit_price;", "").Replace("store_id;", "");
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => ReadAll(File("m.csv", header + "1;2\n")));
        Assert.Contains("store_id", e.Message);
        Assert.Contains("unit_price", e.Message);
    }

    [Fact]
    public async Task Ingest_handles_bom_crlf_quotes_and_trailing_blank_lines()
    {
        var content = "\uFEFF" + (Csv.Header + Csv.Row(1, detail: "\"Ethiopia; \"\"Rg\"\"\"") + Csv.Row(2)).Replace("\n", "\r\n") + "\r\n\r\n\n";
        var rows = Rows(await ReadAll(File("b.csv", content)));
        Assert.Equal(2, rows.Count);
        Assert.Equal("Ethiopia; \"Rg\"", rows[0].Field(10));
        Assert.Equal("2.0", rows[1].Field(0));
        Assert.Equal("Test blend Rg", rows[1].Field(10));
    }

    [Fact]
    public async Task Ingest_marks_rows_with_the_wrong_field_count()
    {
        var rows = Rows(await ReadAll(File("f.csv", Csv.Header + "1.0;2025/01/01;07:00:00\n" + Csv.Row(2))));
        Assert.Equal("field_count", rows[0].ReadError!.Code);
        Assert.Null(rows[1].ReadError);
    }

    [Fact]
    public async Task Ingest_marks_invalid_utf8_lines_and_keeps_reading()
    {
        var bytes = Encoding.UTF8.GetBytes(Csv.Header + Csv.Row(1)).Concat(new byte[] { 0x31, 0x3B, 0xC3, 0x28, 0xFF, (byte)'\n' })
            .Concat(Encoding.UTF8.GetBytes(Csv.Row(3))).ToArray();
        var rows = Rows(await ReadAll(File("u.csv", bytes)));
        Assert.Equal(3, rows.Count);
        Assert.Equal("invalid_utf8", rows[1].ReadError!.Code);
        Assert.Null(rows[2].ReadError);
    }

    [Fact]
    public async Task Ingest_quarantines_a_one_megabyte_line_without_failing_the_file()
    {
        var content = Csv.Header + Csv.Row(1) + Csv.Row(2, detail: new string('x', 1024 * 1024)) + Csv.Row(3);
        var rows = Rows(await ReadAll(File("l.csv", content)));
        Assert.Equal(3, rows.Count);
        Assert.Equal("line_too_long", rows[1].ReadError!.Code);
        Assert.True(rows[1].Raw.Length < 2000);
        Assert.Null(rows[2].ReadError);
    }

    [Fact]
    public async Task Ingest_fails_an_empty_file_clearly()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => ReadAll(File("e.csv", "")));
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public async Task Ingest_reads_a_header_only_file_as_zero_rows()
    {
        var chunks = await ReadAll(File("h.csv", Csv.Header));
        Assert.Empty(Rows(chunks));
        Assert.Equal(new ReadPosition(Csv.Header.Length, 2), chunks.Single().Next);
    }

    [Fact]
    public async Task Ingest_fails_binary_garbage_clearly()
    {
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        bytes[10] = 0;
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => ReadAll(File("bin.dat", bytes)));
        Assert.Contains("binary", e.Message);
    }

    [Fact]
    public async Task Ingest_fails_a_wrong_header_clearly()
    {
        var e = await Assert.ThrowsAsync<SourceFormatException>(() => ReadAll(File("w.csv", "name;email\nann;a@b.c\n")));
        Assert.Contains("missing required columns", e.Message);
        Assert.Contains("transaction_id", e.Message);
    }

    [Fact]
    public async Task Ingest_emits_batches_of_the_configured_size_with_watermarks()
    {
        var content = Csv.Header + string.Concat(Enumerable.Range(1, 25).Select(i => Csv.Row(i)));
        var chunks = await ReadAll(File("w.csv", content), batchSize: 10);
        Assert.Equal([10, 10, 5], chunks.Select(c => c.Count));
        Assert.Equal(12, chunks[0].Next.Line);
        Assert.Equal(Csv.Header.Length + Enumerable.Range(1, 10).Sum(i => Csv.Row(i).Length), chunks[0].Next.Offset);
        Assert.Equal(new ReadPosition(content.Length, 27), chunks[^1].Next);
    }

    [Fact]
    public async Task Resuming_at_a_watermark_reads_exactly_the_rest()
    {
        var content = Csv.Header + string.Concat(Enumerable.Range(1, 25).Select(i => Csv.Row(i)));
        var path = File("r.csv", content);
        var all = Rows(await ReadAll(path, batchSize: 10));
        var first = (await ReadAll(path, batchSize: 10))[0];

        var rest = Rows(await ReadAll(path, batchSize: 10, start: first.Next, layout: first.Layout));

        Assert.Equal(all.Skip(10).Select(r => (r.Line, r.Raw)), rest.Select(r => (r.Line, r.Raw)));
    }

    [Fact]
    public async Task An_appended_region_is_read_with_the_saved_layout()
    {
        var path = File("g.csv", Csv.Header + Csv.Row(1));
        var first = await ReadAll(path);
        System.IO.File.AppendAllText(path, Csv.Row(2) + Csv.Row(3));

        var appended = Rows(await ReadAll(path, start: first[^1].Next, layout: first[^1].Layout));

        Assert.Equal([3L, 4L], appended.Select(r => r.Line));
        Assert.Equal(["2.0", "3.0"], appended.Select(r => r.Field(0)));
    }

    [Fact]
    public void Complete_lines_end_leaves_a_partial_last_line_for_later()
    {
        var path = File("p.csv", Csv.Header + Csv.Row(1) + "2.0;2025/01");
        Assert.Equal((Csv.Header.Length + Csv.Row(1).Length, false), LandingFolder.ReadyEnd(path, TimeSpan.FromMinutes(1), DateTime.UtcNow));
    }

    [Fact]
    public async Task A_quoted_field_with_line_breaks_is_one_record_numbered_by_its_first_line()
    {
        var content = Csv.Header + Csv.Row(1) + Csv.Row(2, detail: "\"Test\r\nblend\nRg\"") + Csv.Row(3);
        var chunks = await ReadAll(File("q.csv", content));
        var rows = Rows(chunks);

        Assert.Equal([2L, 3L, 6L], rows.Select(r => r.Line));
        Assert.All(rows, r => Assert.Null(r.ReadError));
        Assert.Equal("Test\nblend\nRg", rows[1].Field(10));
        Assert.Equal(new ReadPosition(content.Length, 7), chunks[^1].Next);
    }

    [Fact]
    public async Task A_stray_quote_quarantines_its_own_line_and_the_lines_after_it_are_read_on_their_own()
    {
        var lines = Enumerable.Range(1, 30).Select(i => Csv.Row(i)).ToList();
        lines[4] = Csv.Row(5, detail: "\"Test blend Rg");
        var rows = Rows(await ReadAll(File("s.csv", Csv.Header + string.Concat(lines)), batchSize: 7));

        Assert.Equal(Enumerable.Range(2, 30).Select(i => (long)i), rows.Select(r => r.Line));
        Assert.Equal("unbalanced_quote", Assert.Single(rows, r => r.ReadError is not null).ReadError!.Code);
        Assert.Equal(6, rows.Single(r => r.ReadError is not null).Line);
    }

    [Fact]
    public async Task A_repeated_header_is_flagged_and_the_rows_after_it_are_read_with_its_column_order()
    {
        var reordered = "product_detail,transaction_id,transaction_date,transaction_time,transaction_qty,store_id,store_location,product_id,unit_price,product_category,product_type\n";
        var after = "Ethiopia Rg,9.0,2025/01/02,07:00:00,1.0,3.0,Astoria,32.0,3.0,Coffee,Gourmet brewed coffee\n";
        var content = Csv.Header + string.Concat(Enumerable.Range(1, 5).Select(i => Csv.Row(i))) + reordered + after + after.Replace("9.0", "10.0");
        var chunks = await ReadAll(File("h.csv", content), batchSize: 3);
        var rows = Rows(chunks);

        Assert.Equal(Enumerable.Range(2, 8).Select(i => (long)i), rows.Select(r => r.Line));
        Assert.Equal("repeated_header", rows[5].ReadError!.Code);
        Assert.Equal(["9.0", "10.0"], rows[6..].Select(r => r.Field(0)));
        Assert.Equal("Ethiopia Rg", rows[6].Field(10));
        Assert.Equal("Astoria", rows[7].Field(5));
        // A batch never mixes layouts, and reading resumed after the header takes the header's.
        var withHeader = chunks.Single(c => c.Issues.Any(i => i.Reason.Code == "repeated_header"));
        Assert.Equal(',', withHeader.ResumeLayout.Separator);
        var resumed = Rows(await ReadAll(File("h.csv", content), start: withHeader.Next, layout: withHeader.ResumeLayout));
        Assert.Equal(["9.0", "10.0"], resumed.Select(r => r.Field(0)));
        Assert.Equal([8L, 9L], resumed.Select(r => r.Line));
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r")]
    [InlineData("\n")]
    public async Task Lines_end_in_CRLF_LF_or_CR_alone_and_are_numbered_alike(string lineEnd)
    {
        var content = string.Concat(new[] { Csv.Header, Csv.Row(1), "\n", Csv.Row(2), Csv.Row(3) }.Select(l => l.Replace("\n", lineEnd)));
        var chunks = await ReadAll(File("e.csv", content));
        Assert.Equal([2L, 4L, 5L], Rows(chunks).Select(r => r.Line));
        Assert.Equal(new ReadPosition(Encoding.UTF8.GetByteCount(content), 6), chunks[^1].Next);
        Assert.Equal(lineEnd switch { "\r\n" => "CRLF", "\r" => "CR", _ => "LF" }, chunks[0].Layout.LineEnding);
    }

    [Fact]
    public async Task Excels_separator_line_above_the_header_sets_the_separator()
    {
        var rows = Rows(await ReadAll(File("x.csv", "sep=;\r\n" + Csv.Header + Csv.Row(1))));
        Assert.Equal(3L, Assert.Single(rows).Line);
        Assert.Equal("Test blend Rg", rows[0].Field(10));
    }

    [Fact]
    public async Task A_NUL_in_a_data_row_is_that_rows_fault_not_the_files()
    {
        var rows = Rows(await ReadAll(File("n.csv", Csv.Header + Csv.Row(1, detail: "Test\0blend") + Csv.Row(2))));
        Assert.Equal(2, rows.Count);
        Assert.Contains('\0', rows[0].Field(10));
    }

    [Theory]
    [InlineData("2/3/2026", "14/3/2026", DateOrder.DayFirst, false)]
    [InlineData("2/3/2026", "3/14/2026", DateOrder.MonthFirst, false)]
    [InlineData("2/3/26", "3/4/26", DateOrder.MonthFirst, true)]
    [InlineData("2.3.26", "3.4.26", DateOrder.DayFirst, false)]
    [InlineData("2026/03/02", "2026/03/03", DateOrder.MonthFirst, false)]
    public async Task The_order_of_day_and_month_is_decided_by_the_files_rows(string early, string late, DateOrder order, bool assumed)
    {
        // The deciding row comes last, after far more than a batch of undecided ones.
        var lines = Enumerable.Range(1, 2500).Select(i => Csv.Row(i, date: early)).Append(Csv.Row(2501, date: late));
        var layout = (await ReadAll(File("d.csv", Csv.Header + string.Concat(lines))))[0].Layout;
        Assert.Equal((order, assumed), (layout.DateOrder, layout.DateOrderAssumed));
    }

    [Fact]
    public async Task Decimal_commas_and_processed_files_are_recognised_by_their_rows()
    {
        var comma = (await ReadAll(File("c.csv", Csv.Header + Csv.Row(1, price: "3,5", qty: "2,0"))))[0].Layout;
        Assert.Equal((',', SourceShape.Raw), (comma.DecimalMark, comma.Shape));
        var processed = (await ReadAll(File("p.csv", Csv.Header.Replace(';', ',') + Csv.Row(1, idText: "7901_20250101", price: "45.0").Replace(';', ','))))[0].Layout;
        Assert.Equal(('.', SourceShape.Processed), (processed.DecimalMark, processed.Shape));
    }

    [Fact]
    public async Task A_lone_CR_inside_a_field_of_an_LF_file_joins_the_halves_of_its_record()
    {
        var content = Csv.Header + Csv.Row(1, detail: "Test\rblend Rg") + Csv.Row(2) + Csv.Row(3).TrimEnd('\n') + "\r" + Csv.Row(4);
        var rows = Rows(await ReadAll(File("cr.csv", content)));

        // The halves of row 1 make one record; row 3's lone CR is its line ending (row 4 is a record of its own).
        Assert.Equal([2L, 4L, 5L, 6L], rows.Select(r => r.Line));
        Assert.All(rows, r => Assert.Null(r.ReadError));
        Assert.Equal("Test blend Rg", rows[0].Field(10));
        Assert.Equal(["1.0", "2.0", "3.0", "4.0"], rows.Select(r => r.Field(0)));
    }

    [Theory]
    [InlineData(65_530)] [InlineData(65_534)] [InlineData(65_535)] [InlineData(65_536)] [InlineData(65_537)] [InlineData(131_071)]
    public async Task A_lone_CR_at_a_read_boundary_still_joins_the_halves_of_its_record(int crOffset)
    {
        var head = new StringBuilder(Csv.Header);
        var n = 1;
        // Rows up to just before the CR's offset, then a row whose detail the CR splits at exactly that byte.
        while (head.Length + Csv.Row(n).Length < crOffset - 200) head.Append(Csv.Row(n++));
        var detailStart = head.Length + Csv.Row(n, detail: "").Length - 1; // the row without a detail ends in ";\n"
        var row = Csv.Row(n, detail: new string('x', crOffset - detailStart - 4) + "Test\rblend Rg");
        var content = head + row + Csv.Row(n + 1);
        Assert.Equal('\r', content[crOffset]);

        var rows = Rows(await ReadAll(File("boundary.csv", content)));

        Assert.All(rows, r => Assert.Null(r.ReadError));
        Assert.Equal(n + 1, rows.Count);
        Assert.EndsWith("Test blend Rg", rows[n - 1].Field(10));
    }

    [Fact]
    public async Task A_joined_record_longer_than_the_line_limit_is_one_quarantined_record_and_the_rows_after_it_keep_their_lines()
    {
        var reader = new SalesFileReader(maxLineBytes: 300, maxRecordBytes: 1 << 20);
        var content = Csv.Header + Csv.Row(1, detail: "\"" + new string('x', 200) + "\n" + new string('y', 200) + "\"") + Csv.Row(2) + Csv.Row(3);
        var path = File("long-joined.csv", content);
        var chunks = new List<ReadChunk>();
        await foreach (var c in reader.ReadAsync(path, new ReadPosition(0, 1), new FileInfo(path).Length, null, 1000, CancellationToken.None)) chunks.Add(c);
        var rows = Rows(chunks);

        Assert.Equal([2L, 4L, 5L], rows.Select(r => r.Line));
        Assert.Equal("line_too_long", rows[0].ReadError!.Code);
        Assert.Equal(["2.0", "3.0"], rows[1..].Select(r => r.Field(0)));
    }

    [Theory]
    [InlineData("\n", "2.0;2025/01/01;07:06:11;2.0;5.0;Lower Manhattan;901.0;3.0;Coffee;Gourmet brewed coffee;Test\rble", false)]
    [InlineData("\r", "2.0;2025/01/01;07:06:11;2.0;5.0;Lower Manhattan;901.0;3.0;Coffee;Gourmet brewed coffee;Test\r", true)]
    public void Only_the_files_own_line_ending_ends_a_ready_region_of_a_file_being_written(string lineEnd, string tail, bool tailIsReady)
    {
        var complete = (Csv.Header + Csv.Row(1)).Replace("\n", lineEnd);
        var path = File("writing.csv", complete + tail);
        var (end, whole) = LandingFolder.ReadyEnd(path, TimeSpan.FromMinutes(1), DateTime.UtcNow);
        Assert.Equal(tailIsReady ? complete.Length + tail.Length : complete.Length, end);
        Assert.Equal(tailIsReady, whole);
    }
}
