using CoffeeMesh.Cli;
using CoffeeMesh.Contracts;
using CoffeeMesh.Tests.Infrastructure;
using CoffeeMesh.Transform.Cleaning;
using CsvHelper;

namespace CoffeeMesh.Tests.Transform;

/// <summary>
/// Transform splits lines without quotes itself and hands the rest to CsvHelper: both must read
/// every line the way CsvHelper alone reads it (no servers involved), a trailing empty column allowed.
/// </summary>
public sealed class RawBatchParserTests
{
    private static readonly string[] Awkward =
    [
        "1.0;2025/01/01;06:00:45;2.0;8.0;Hell's Kitchen;76.0;0.8;Flavours;Sugar free syrup;Sugar Free Vanilla syrup",
        ";;;;;;;;;;",
        " 1.0 ; 2025/01/01 ;06:00:45;2.0;8.0; Astoria ;76.0;0.8;Flavours;Sugar\tfree;  ",
        "1.0;2025/01/01;06:00:45;2.0;8.0;Astoria;76.0;0.8;Flavours;back\\slash;x;",
        "1.0;2025/01/01;06:00:45;2.0;8.0;Astoria;76.0;0.8;Flavours;Café crème;naïve ☕",
        "1.0;2025/01/01;06:00:45;2.0;8.0;Astoria;76.0;0.8;\"Flavours\";\"a;b\";\"say \"\"hi\"\"\"",
        "1.0;2025/01/01;06:00:45;2.0;8.0;Astoria;76.0;0.8;Flav\"ours;x;y",
        "1.0;2025/01/01;06:00:45;2.0;8.0;Astoria;76.0;0.8;\"unclosed;x;y",
        "only;three;fields",
        " ",
        ";",
        "1.0,2025/01/01,06:00:45,2.0,8.0,Astoria,76.0,0.8,Flavours,x,y",
    ];

    [Fact]
    public void Transform_reads_fields_exactly_as_CsvHelper_does()
    {
        var lines = Awkward.Concat(GeneratedLines(2000, dirty: 0.3)).ToList();
        AssertSameAsCsvHelper(RawBatches.FromLines(lines));
    }

    [Fact]
    public void Transform_reads_fields_by_the_header_column_map_and_separator()
    {
        // A source with ',' and its columns in another order: the map picks canonical column c from source column map[c].
        var map = new[] { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 };
        var lines = Awkward.Concat(GeneratedLines(500, dirty: 0.3)).Select(l => l.Replace(';', ',')).ToList();
        AssertSameAsCsvHelper(RawBatches.FromLines(lines) with { Format = new SourceFormat(',', map, 11) });
    }

    private static IEnumerable<string> GeneratedLines(int rows, double dirty)
    {
        using var text = new StringWriter();
        new SalesGenerator(new GeneratorSettings(rows, new DateOnly(2025, 1, 1), 3, dirty, Seed: 5)).Write(text);
        return text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1);
    }

    private static void AssertSameAsCsvHelper(RawSalesBatch batch)
    {
        var rows = RawBatchParser.Parse(batch);
        var format = batch.Format;
        var options = CsvReaderOptions.Default with
        {
            HasHeader = false, Separator = format.Separator, DetectSeparatorHint = false, AllowLineBreaksInQuotes = false, SkipEmptyLines = false,
        };
        using var reader = CsvReader.FromText(batch.Text, options);
        Assert.Equal(batch.LineNumbers.Length, rows.Count);
        foreach (var row in rows)
        {
            Assert.True(reader.Read());
            // A trailing empty column the header does not have is accepted (spreadsheets add one).
            var fits = reader.FieldCount == format.FieldCount
                       || (reader.FieldCount == format.FieldCount + 1 && string.IsNullOrWhiteSpace(reader.GetString(reader.FieldCount - 1)));
            if (!fits)
            {
                Assert.Equal($"expected {format.FieldCount} fields, found {reader.FieldCount}", row.ReadError?.Detail);
                continue;
            }
            Assert.Null(row.ReadError);
            Assert.Equal(format.ColumnMap.Select(reader.GetString), row.Fields.Select(f => f.ToString()));
        }
        Assert.False(reader.Read());
    }
}
