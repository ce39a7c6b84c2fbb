namespace CoffeeMesh.Contracts;

/// <summary>
/// warehouse-loader committed one processed object (one date's rows of one batch, as cloud-publisher
/// wrote it) into the warehouse's star schema, or found it committed already (a replayed event).
/// The ledger counts a batch as loaded once it has heard of all <see cref="BatchObjects"/> of its objects.
/// </summary>
public record SalesObjectLoaded : IBatchMessage
{
    public required Guid IngestionId { get; init; }
    public required int Sequence { get; init; }
    public required string Bucket { get; init; }
    /// <summary>The object's name, e.g. processed/date=2025-01-01/&lt;ingestion&gt;-&lt;seq&gt;.csv.</summary>
    public required string ObjectName { get; init; }
    /// <summary>The object generation that was loaded (GCS's int64 generation number).</summary>
    public required long Generation { get; init; }
    /// <summary>How many objects the batch wrote in all (the object's batch_objects metadata).</summary>
    public required int BatchObjects { get; init; }
    /// <summary>Data rows of the object now in the warehouse's fact table (all of them: a load is all or nothing).</summary>
    public required long Rows { get; init; }
}
