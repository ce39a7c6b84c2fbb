namespace CoffeeMesh.Contracts;

/// <summary>
/// ingest asks the stores to count what they hold of an ingestion: when its ledger says every batch
/// is done (the counts are checked against the stores, not trusted), or when it has heard nothing
/// for a while (a lost event must not leave it waiting). Each store answers with IngestionCounted.
/// </summary>
public record IngestionCountRequested : IIngestionMessage
{
    public required Guid IngestionId { get; init; }
    /// <summary>With the ingestion number, where the ingestion's rows are (row_version's high 32 bits).</summary>
    public required long IngestionNumber { get; init; }
    /// <summary>How many batches ingest read and sent.</summary>
    public required int Batches { get; init; }
    public DateTimeOffset RequestedAt { get; init; } = DateTimeOffset.UtcNow;
}
