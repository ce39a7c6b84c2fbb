using System.Runtime.InteropServices;
using CoffeeMesh.Contracts;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>The outcome of cleaning a raw batch, as typed rows; <see cref="ToMessage"/> makes the wire form.</summary>
public sealed record CleanedBatch(RawSalesBatch Source, int RowsRead, IReadOnlyList<SalesRow> Rows, IReadOnlyList<QuarantinedRow> Quarantined,
    int OutOfRange, int Superseded)
{
    public CleanSalesBatch ToMessage()
    {
        // Each store and product as its last row describes it, in order of first appearance.
        var stores = new Dictionary<int, SalesRow>();
        var products = new Dictionary<int, SalesRow>();
        foreach (var r in Rows)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(stores, r.StoreId, out _) = r;
            CollectionsMarshal.GetValueRefOrAddDefault(products, r.ProductId, out _) = r;
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
            Stores = stores.Values.Select(r => new Store(r.StoreId, r.StoreLocation)).ToList(),
            Products = products.Values.Select(r => new Product(r.ProductId, r.ProductCategory, r.ProductType, r.ProductDetail, r.UnitPrice)).ToList(),
            Quarantined = Quarantined,
        };
    }
}
