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
}
