namespace CoffeeMesh.Contracts;

/// <summary>Asks ingest to read one source file (relative to its landing folder).</summary>
public record IngestionRequested : IIngestionMessage
{
    public required Guid IngestionId { get; init; }
    /// <summary>Path relative to the landing folder.</summary>
    public required string Source { get; init; }
    /// <summary>Inclusive date range; rows outside it are dropped (backfill).</summary>
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public DateTimeOffset RequestedAt { get; init; } = DateTimeOffset.UtcNow;
}
