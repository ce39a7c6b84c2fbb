namespace CoffeeMesh.Contracts;

/// <summary>
/// transform cleaned a raw batch (its outcome for the ingestion ledger; the rows themselves travel
/// in the CleanSalesBatch). RowsRead = Accepted + Quarantined + OutOfRange.
/// </summary>
public record SalesBatchCleaned : IBatchMessage
{
    public required Guid IngestionId { get; init; }
    public required int Sequence { get; init; }
    public required int RowsRead { get; init; }
    /// <summary>Rows that passed the rules (duplicates within the batch included).</summary>
    public required int Accepted { get; init; }
    public required int Quarantined { get; init; }
    public int OutOfRange { get; init; }
}
