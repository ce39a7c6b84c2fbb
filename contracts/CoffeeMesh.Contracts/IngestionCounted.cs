namespace CoffeeMesh.Contracts;

/// <summary>
/// A store's own count of an ingestion, from its tables (the answer to IngestionCountRequested).
/// oltp-writer: its stored batches and what they accounted for, and the sales rows whose current
/// version came from the ingestion; olap-sync: its synced batches, the facts, and the facts it refused.
/// </summary>
public record IngestionCounted : IIngestionMessage
{
    public required Guid IngestionId { get; init; }
    /// <summary>"oltp-writer" or "olap-sync".</summary>
    public required string Stage { get; init; }
    public required int Batches { get; init; }
    /// <summary>Rows of the ingestion the store holds now (sales rows, or facts).</summary>
    public required long Rows { get; init; }
    public long RowsRead { get; init; }
    public long Accepted { get; init; }
    public long Superseded { get; init; }
    public long Quarantined { get; init; }
    public long OutOfRange { get; init; }
    public long Rejected { get; init; }
    public IReadOnlyDictionary<string, long> QuarantinedByReason { get; init; } = new Dictionary<string, long>();
    public DateTimeOffset CountedAt { get; init; } = DateTimeOffset.UtcNow;
}
