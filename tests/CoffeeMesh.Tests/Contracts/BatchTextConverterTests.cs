using System.Text;
using System.Text.Json;
using CoffeeMesh.Contracts;

namespace CoffeeMesh.Tests.Contracts;

public class BatchTextConverterTests
{
    [Fact]
    public void Batch_text_written_in_segments_is_the_same_json_string_and_reads_back_whole()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
            text.Append($"{i}_20250101\t2025-01-01\t07:0{i % 10}:00\t2\t3\t\"Lower Manhattan\" café\\\n");
        // A surrogate pair across the first segment boundary (8192 characters).
        text.Insert(8191, "😀");
        var batch = new CleanSalesBatch
        {
            IngestionId = Guid.NewGuid(), IngestionNumber = 1, Sequence = 0, FirstLine = 2, LastLine = 20_001, RowsRead = 20_000,
            Sales = text.ToString(), SalesCount = 20_000, Stores = [], Products = [], Quarantined = [],
        };

        var json = JsonSerializer.Serialize(batch);

        using var doc = JsonDocument.Parse(json);
        Assert.Equal(text.ToString(), doc.RootElement.GetProperty("Sales").GetString());
        Assert.Equal(JsonSerializer.Serialize(text.ToString()), doc.RootElement.GetProperty("Sales").GetRawText());
        Assert.Equal(text.ToString(), JsonSerializer.Deserialize<CleanSalesBatch>(json)!.Sales);
    }
}
