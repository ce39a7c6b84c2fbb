namespace CoffeeMesh.Ingest.Ingestions;

/// <summary>One row of the ingestion table: a request and its read watermark.</summary>
public sealed record IngestionRecord
{
    public long Number { get; init; }
    public Guid Id { get; init; }
    public required string Source { get; init; }
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public int BatchSize { get; init; }
    public long? LandingFileId { get; init; }
    public long StartOffset { get; init; }
    public long StartLine { get; init; } = 1;
    public long EndOffset { get; init; }
    public string? EndHash { get; init; }
    public string State { get; init; } = IngestionStates.Queued;
    public string? Separator { get; init; }
    public string? ColumnMap { get; init; }
    public long NextOffset { get; init; }
    public long NextLine { get; init; } = 1;
    public int NextSequence { get; init; }
    public long RowsRead { get; init; }
    public string? Error { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
    /// <summary>When a stage last reported one of its batches (the ledger).</summary>
    public DateTime? LastReportedAt { get; init; }
    public DateTime? CountRequestedAt { get; init; }
    /// <summary>When both stores' counts held every batch read: the ingestion is completed.</summary>
    public DateTime? CompletedAt { get; init; }
}

public static class IngestionStates
{
    public const string Queued = "queued";
    public const string Reading = "reading";
    /// <summary>Every row of the source has been sent on.</summary>
    public const string Read = "read";
    public const string Failed = "failed";
}
