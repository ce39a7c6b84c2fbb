using System.Text.Json.Serialization;

namespace CoffeeMesh.Contracts;

/// <summary>
/// A raw batch after the cleaning rules. Every row read is in exactly one place:
/// RowsRead = SalesCount + Superseded + Quarantined.Count + OutOfRange.
/// </summary>
public record CleanSalesBatch : IBatchMessage
{
    public required Guid IngestionId { get; init; }
    public required long IngestionNumber { get; init; }
    public required int Sequence { get; init; }
    /// <summary>The source lines the batch covers: with the ingestion number, the row_version range of its rows.</summary>
    public required long FirstLine { get; init; }
    public required long LastLine { get; init; }
    public required int RowsRead { get; init; }
    /// <summary>Rows outside the requested date range (dropped, as the old scripts did).</summary>
    public int OutOfRange { get; init; }
    /// <summary>Valid rows replaced by a later row with the same transaction id in this batch.</summary>
    public int Superseded { get; init; }
    /// <summary>The accepted sales, in the <see cref="SalesTsv"/> format.</summary>
    [JsonConverter(typeof(BatchTextConverter))]
    public required string Sales { get; init; }
    public required int SalesCount { get; init; }
    /// <summary>
    /// The versions of store and product attributes the sales carry (<see cref="AttributeRuns"/>):
    /// a sale's <c>store_ref</c> and <c>product_ref</c> in <see cref="Sales"/> index these lists.
    /// </summary>
    public required IReadOnlyList<Store> Stores { get; init; }
    public required IReadOnlyList<Product> Products { get; init; }
    public required IReadOnlyList<QuarantinedRow> Quarantined { get; init; }
}

/// <summary>A store as a run of sales names it, from its first sale of the run (time and row_version) on.</summary>
public record Store(int StoreId, string StoreLocation)
{
    public DateTime FirstSoldAt { get; init; }
    public long FirstRowVersion { get; init; }
}

/// <summary>A product as a run of sales describes it, from its first sale of the run (time and row_version) on.</summary>
public record Product(int ProductId, string ProductCategory, string ProductType, string ProductDetail, decimal UnitPrice)
{
    public DateTime FirstSoldAt { get; init; }
    public long FirstRowVersion { get; init; }
}
