using System.Text.Json;
using CoffeeMesh.Contracts;

namespace CoffeeMesh.Tests.Contracts;

public class LineNumbersConverterTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static RawSalesBatch Batch(long[] lines) => new()
    {
        IngestionId = Guid.NewGuid(), IngestionNumber = 1, Sequence = 0, FirstLine = 2, LastLine = 10,
        Format = new SourceFormat(';', [0, 1], 2), Text = "", LineNumbers = lines,
    };

    [Fact]
    public void Line_numbers_travel_as_runs_of_consecutive_lines_and_read_back_exactly()
    {
        long[] lines = [2, 3, 4, 7, 9, 10, 5_000_000_000];

        var json = JsonSerializer.Serialize(Batch(lines), Web);

        using var doc = JsonDocument.Parse(json);
        Assert.Equal([2, 3, 7, 1, 9, 2, 5_000_000_000, 1],
            doc.RootElement.GetProperty("lineNumbers").GetProperty("runs").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(lines, JsonSerializer.Deserialize<RawSalesBatch>(json, Web)!.LineNumbers);
    }

    [Fact]
    public void No_lines_read_back_as_none() =>
        Assert.Empty(JsonSerializer.Deserialize<RawSalesBatch>(JsonSerializer.Serialize(Batch([]), Web), Web)!.LineNumbers);

    [Fact]
    public void Line_numbers_as_a_plain_array_still_read()
    {
        var json = JsonSerializer.Serialize(Batch([2, 3, 5]), Web).Replace("""{"runs":[2,2,5,1]}""", "[2,3,5]");
        Assert.Contains("[2,3,5]", json);
        Assert.Equal([2L, 3, 5], JsonSerializer.Deserialize<RawSalesBatch>(json, Web)!.LineNumbers);
    }

    [Theory]
    [InlineData("""{"runs":[2,0]}""")]              // a run of no lines
    [InlineData("""{"runs":[2,-3]}""")]
    [InlineData("""{"runs":[2]}""")]                // a first line without its count
    [InlineData("""{"runs":[1,2000000000]}""")]     // more lines than any batch: refused before allocating
    [InlineData("""{"lines":[2,3]}""")]
    [InlineData("\"2,3\"")]
    public void Malformed_line_numbers_are_refused(string lineNumbers)
    {
        var json = JsonSerializer.Serialize(Batch([2, 3]), Web).Replace("""{"runs":[2,2]}""", lineNumbers);
        Assert.Contains(lineNumbers, json);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RawSalesBatch>(json, Web));
    }
}
