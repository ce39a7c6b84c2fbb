namespace CoffeeMesh.Contracts;

/// <summary>
/// A raw batch after the cleaning rules. Every row read is in exactly one place:
/// RowsRead = Rows.Count + Superseded + Quarantined.Count + OutOfRange.
/// </summary>
public record CleanSalesBatch
{
    public required Guid IngestionId { get; init; }
    public required long IngestionNumber { get; init; }
    public required int Sequence { get; init; }
    public required int RowsRead { get; init; }
    /// <summary>Rows outside the requested date range (dropped, as the old scripts did).</summary>
    public int OutOfRange { get; init; }
    /// <summary>Valid rows replaced by a later row with the same transaction id in this batch.</summary>
    public int Superseded { get; init; }
    public required IReadOnlyList<SalesRow> Rows { get; init; }
    public required IReadOnlyList<QuarantinedRow> Quarantined { get; init; }
}
