using CoffeeMesh.Contracts;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>The outcome of cleaning a raw batch, as typed rows; <see cref="ToMessage"/> makes the wire form.</summary>
public sealed record CleanedBatch(RawSalesBatch Source, int RowsRead, IReadOnlyList<SalesRow> Rows, IReadOnlyList<QuarantinedRow> Quarantined,
    int OutOfRange, int Superseded)
{
    public CleanSalesBatch ToMessage()
    {
        var stores = new Dictionary<int, Store>();
        var products = new Dictionary<int, Product>();
        foreach (var r in Rows)
        {
            stores[r.StoreId] = new Store(r.StoreId, r.StoreLocation);
            products[r.ProductId] = new Product(r.ProductId, r.ProductCategory, r.ProductType, r.ProductDetail, r.UnitPrice);
        }
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
            Sales = SalesTsv.Render(Rows, Source.IngestionNumber),
            SalesCount = Rows.Count,
            Stores = stores.Values.ToList(),
            Products = products.Values.ToList(),
            Quarantined = Quarantined,
        };
    }
}
