namespace CoffeeMesh.Contracts;

/// <summary>oltp-writer committed a batch to MySQL (published through the outbox).</summary>
public record SalesBatchStored : IBatchMessage
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
    /// <summary>Valid rows replaced by a later row with the same transaction id in the batch.</summary>
    public int Superseded { get; init; }
    /// <summary>The batch's quarantined rows by reason code (a row with several reasons counts under each).</summary>
    public IReadOnlyDictionary<string, int> QuarantinedByReason { get; init; } = new Dictionary<string, int>();
    /// <summary>None of the batch's transactions was in MySQL before: every row was added, none replaced.
    /// A hint for olap-sync's cheaper insert; false (the default) when unknown.</summary>
    public bool NewTransactionsOnly { get; init; }
}

