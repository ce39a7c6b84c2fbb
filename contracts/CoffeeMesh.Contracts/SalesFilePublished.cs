namespace CoffeeMesh.Contracts;

/// <summary>cloud-publisher wrote a processed file to the GCS bucket.</summary>
public record SalesFilePublished : IIngestionMessage
{
    public required Guid IngestionId { get; init; }
    public required string Bucket { get; init; }
    public required string ObjectName { get; init; }
    public required long Rows { get; init; }
}
