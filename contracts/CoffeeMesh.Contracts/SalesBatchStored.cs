namespace CoffeeMesh.Contracts;

/// <summary>oltp-writer committed a batch to MySQL (published through the outbox).</summary>
public record SalesBatchStored
{
    public required Guid IngestionId { get; init; }
    public required int Sequence { get; init; }
    /// <summary>With the lines, where the batch's rows are: row_version from RowVersion(number, FirstLine) to RowVersion(number, LastLine).</summary>
    public required long IngestionNumber { get; init; }
    public required long FirstLine { get; init; }
    public required long LastLine { get; init; }
    public required int RowsRead { get; init; }
    public required int RowsStored { get; init; }
    public required int Quarantined { get; init; }
    public int OutOfRange { get; init; }
    /// <summary>None of the batch's transactions was in MySQL before: every row was added, none replaced.
    /// A hint for olap-sync's cheaper insert; false (the default) when unknown.</summary>
    public bool NewTransactionsOnly { get; init; }
}
