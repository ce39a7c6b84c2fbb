using System.Text.Json.Serialization;

namespace CoffeeMesh.Contracts;

/// <summary>
/// A store's own count of an ingestion, from its tables (the answer to IngestionCountRequested).
/// oltp-writer counts its stored batches (ingestion_batch), their quarantine reasons and the sales
/// rows whose current version came from the ingestion; olap-sync its synced batches (sync_batch),
/// the facts, and the facts it refused (sync_rejected). Row counts are rows.
/// </summary>
public record IngestionCounted : IIngestionMessage
{
    public required Guid IngestionId { get; init; }
    /// <summary>"oltp-writer" or "olap-sync".</summary>
    public required string Stage { get; init; }
    /// <summary>Each batch the store holds, as its tables record it (the ledger fills a batch whose event it never saw from here).</summary>
    public required IReadOnlyList<CountedBatch> Batches { get; init; }
    /// <summary>Rows of the ingestion the store holds now: sales rows, or facts (fewer than stored when a later ingestion replaced some).</summary>
    public required long Rows { get; init; }
    /// <summary>olap-sync: facts PostgreSQL refused (sync_rejected), in all.</summary>
    public long Rejected { get; init; }
    /// <summary>oltp-writer: quarantined rows by reason code; olap-sync: refused facts by PostgreSQL's message.</summary>
    public IReadOnlyDictionary<string, long> ByReason { get; init; } = new Dictionary<string, long>();
    /// <summary>oltp-writer: new versions of stores and products the ingestion made (the first 100).</summary>
    public IReadOnlyList<AttributeChanged> AttributeChanges { get; init; } = [];
    public long AttributeChangesTotal { get; init; }
    public DateTimeOffset CountedAt { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>
/// One batch as a store recorded it, in the ledger's terms: RowsIn rows arrived, RowsOut were
/// stored (or synced), Quarantined/OutOfRange/Superseded/Rejected were not.
/// </summary>
public record CountedBatch(int Sequence, int RowsIn, int RowsOut, int Quarantined, int OutOfRange, int Superseded, int Rejected);

/// <summary>A store's or product's attributes changed from a sale on: a new version of it. From/To hold the attributes that differ.</summary>
public record AttributeChanged(
    [property: JsonPropertyName("dimension")] string Dimension,
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("valid_from")] DateTime ValidFrom,
    [property: JsonPropertyName("from")] IReadOnlyDictionary<string, string> From,
    [property: JsonPropertyName("to")] IReadOnlyDictionary<string, string> To);
