namespace CoffeeMesh.Contracts;

/// <summary>olap-sync applied a stored batch to the PostgreSQL star schema.</summary>
public record SalesBatchSynced
{
    public required Guid IngestionId { get; init; }
    public required int Sequence { get; init; }
    /// <summary>The batch's rows read from MySQL; fewer than it stored when a later ingestion has replaced some since.</summary>
    public required int RowsSynced { get; init; }
}
