namespace CoffeeMesh.Contracts;

/// <summary>olap-sync applied a stored batch to the PostgreSQL star schema.</summary>
public record SalesBatchSynced : IBatchMessage
{
    public required Guid IngestionId { get; init; }
    public required int Sequence { get; init; }
    /// <summary>The batch's rows read from MySQL and now facts; fewer than it stored when a later ingestion has replaced some since.</summary>
    public required int RowsSynced { get; init; }
    /// <summary>Facts PostgreSQL refused (recorded in sync_rejected), by PostgreSQL's message.</summary>
    public int Rejected { get; init; }
    public IReadOnlyDictionary<string, int> RejectedByReason { get; init; } = new Dictionary<string, int>();
    /// <summary>
    /// Where the batch's rows are in MySQL, as in SalesBatchStored: row_version from
    /// RowVersion(IngestionNumber, FirstLine) to RowVersion(IngestionNumber, LastLine). Null from an
    /// olap-sync that predates them (cloud-publisher cannot publish such a batch).
    /// </summary>
    public long? IngestionNumber { get; init; }
    public long? FirstLine { get; init; }
    public long? LastLine { get; init; }
}
