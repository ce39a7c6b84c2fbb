using CoffeeMesh.Contracts;
using CoffeeMesh.Ingest.Reading;
using CoffeeMesh.Transform.Cleaning;

namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>Raw batches for tests: from what the reader produced, or from raw-format lines.</summary>
public static class RawBatches
{
    public static readonly SourceFormat Raw = new(';', Enumerable.Range(0, 11).ToArray(), 11);

    public static RawSalesBatch From(ReadChunk chunk, DateOnly? from = null, DateOnly? to = null) =>
        chunk.ToBatch(Guid.NewGuid(), ingestionNumber: 1, sequence: 0, from, to);

    /// <summary>Lines in the raw format (';', canonical column order), numbered from <paramref name="firstLine"/>.</summary>
    public static RawSalesBatch FromLines(IReadOnlyList<string> lines, long firstLine = 2, DateOnly? from = null, DateOnly? to = null) => new()
    {
        IngestionId = Guid.NewGuid(), IngestionNumber = 1, Sequence = 0, FirstLine = firstLine, LastLine = firstLine + lines.Count - 1,
        From = from, To = to, Format = Raw, Text = string.Concat(lines.Select(l => l.TrimEnd('\n') + "\n")),
        LineNumbers = Enumerable.Range(0, lines.Count).Select(i => firstLine + i).ToArray(),
    };

    public static List<RawSalesRow> Rows(ReadChunk chunk) => RawBatchParser.Parse(From(chunk));
}
