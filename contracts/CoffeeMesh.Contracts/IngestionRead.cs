namespace CoffeeMesh.Contracts;

/// <summary>Ingest finished reading a source: the denominator every later stage is checked against.</summary>
public record IngestionRead : IIngestionMessage
{
    public required Guid IngestionId { get; init; }
    public required string Source { get; init; }
    public required long RowsRead { get; init; }
    public required int Batches { get; init; }
    /// <summary>Set when the source could not be read at all (wrong header, binary data...).</summary>
    public string? Error { get; init; }
}
