namespace CoffeeMesh.Contracts;

/// <summary>
/// cloud-publisher wrote a synced batch's current rows to the bucket as processed CSV objects (one
/// per date the batch's rows fall on), or found them already written (a redelivery). Rows is the
/// number of data rows in those objects, as the objects themselves record it.
/// </summary>
public record SalesBatchPublished
{
    public required Guid IngestionId { get; init; }
    public required int Sequence { get; init; }
    /// <summary>Data rows in the batch's objects (headers not counted); 0 when a later ingestion has replaced every row of the batch.</summary>
    public required long Rows { get; init; }
    public required string Bucket { get; init; }
    /// <summary>The objects' names in the bucket, e.g. processed/date=2025-01-01/&lt;ingestion&gt;-&lt;seq&gt;.csv, in date order.</summary>
    public required IReadOnlyList<string> ObjectNames { get; init; }
}
