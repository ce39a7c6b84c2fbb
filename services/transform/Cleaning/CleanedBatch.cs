using CoffeeMesh.Contracts;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>The outcome of cleaning a raw batch, as typed rows; <see cref="ToMessage"/> makes the wire form.</summary>
public sealed record CleanedBatch(RawSalesBatch Source, int RowsRead, IReadOnlyList<SalesRow> Rows, IReadOnlyList<QuarantinedRow> Quarantined,
    int OutOfRange, int Superseded)
{
    public CleanSalesBatch ToMessage()
    {
        var runs = AttributeRuns.Of(Rows, Source.IngestionNumber);
        return new CleanSalesBatch
        {
            IngestionId = Source.IngestionId,
            IngestionNumber = Source.IngestionNumber,
            Sequence = Source.Sequence,
            FirstLine = Source.FirstLine,
            LastLine = Source.LastLine,
            RowsRead = RowsRead,
            OutOfRange = OutOfRange,
            Superseded = Superseded,
            Sales = SalesTsv.Render(Rows, Source.IngestionNumber, runs),
            SalesCount = Rows.Count,
            Stores = runs.Stores,
            Products = runs.Products,
            Quarantined = Quarantined,
        };
    }
}
