using System.Text;
using System.Text.Json;
using CoffeeMesh.Contracts;

namespace CoffeeMesh.Tests.Contracts;

public class BatchTextConverterTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static string Text()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
            text.Append($"{i}_20250101\t2025-01-01\t07:0{i % 10}:00\t2\t3\t\"Hell's Kitchen\" café\\\n");
        // A surrogate pair across the first segment boundary (16,384 characters).
        text.Insert(16_383, "😀");
        return text.ToString();
    }

    private static CleanSalesBatch Batch(string sales) => new()
    {
        IngestionId = Guid.NewGuid(), IngestionNumber = 1, Sequence = 0, FirstLine = 2, LastLine = 20_001, RowsRead = 20_000,
        Sales = sales, SalesCount = 20_000, Stores = [], Products = [], Quarantined = [],
    };

    [Fact]
    public void Batch_text_travels_as_base64_segments_of_its_utf8_and_reads_back_exactly()
    {
        var text = Text();

        var json = JsonSerializer.Serialize(Batch(text), Web);

        using var doc = JsonDocument.Parse(json);
        var sales = doc.RootElement.GetProperty("sales");
        Assert.Equal(text.Length, sales.GetProperty("length").GetInt32());
        var segments = sales.GetProperty("utf8").EnumerateArray().ToList();
        Assert.True(segments.Count > 1);
        Assert.Equal(Encoding.UTF8.GetBytes(text), segments.SelectMany(s => s.GetBytesFromBase64()).ToArray());
        Assert.DoesNotContain('\\', json); // nothing for the reader to unescape
        // As MassTransit reads it: the envelope to an element, then the message from the element.
        Assert.Equal(text, JsonSerializer.Deserialize<JsonElement>(json, Web).Deserialize<CleanSalesBatch>(Web)!.Sales);
    }

    [Fact]
    public void Batch_text_published_as_a_plain_json_string_still_reads()
    {
        var text = Text();
        var json = JsonSerializer.Serialize(Batch("x"), Web).Replace("""{"length":1,"utf8":["eA=="]}""", JsonSerializer.Serialize(text));

        Assert.Equal(text, JsonSerializer.Deserialize<CleanSalesBatch>(json, Web)!.Sales);
    }

    [Fact]
    public void Batch_text_of_the_wrong_length_or_not_base64_is_refused()
    {
        var json = JsonSerializer.Serialize(Batch("abc"), Web);

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CleanSalesBatch>(json.Replace("\"length\":3", "\"length\":4"), Web));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CleanSalesBatch>(json.Replace("YWJj", "Y!Jj"), Web));
    }

    [Fact]
    public void Empty_batch_text_reads_back_empty()
    {
        var json = JsonSerializer.Serialize(Batch(""), Web);

        Assert.Equal("", JsonSerializer.Deserialize<CleanSalesBatch>(json, Web)!.Sales);
    }
}
