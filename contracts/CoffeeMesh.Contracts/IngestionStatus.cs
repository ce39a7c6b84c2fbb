using System.Text.Json.Serialization;

namespace CoffeeMesh.Contracts;

/// <summary>
/// One ingestion across the stages, as ingest's ledger holds it (GET /ingestions/{id}, the CLI's
/// status and --wait). Row counts are rows; times are UTC. While the ingestion runs, the counts are
/// the stages' reports (events); once every batch is done, the stores' own counts
/// (<see cref="Verified"/>).
/// state: queued | reading | processing | completed | failed | stalled.
/// </summary>
public sealed record IngestionStatus
{
    [JsonPropertyName("ingestion_id")] public required Guid IngestionId { get; init; }
    [JsonPropertyName("source")] public required string Source { get; init; }
    [JsonPropertyName("state")] public required string State { get; init; }
    /// <summary>Why it failed: the source could not be read, or a stage gave up on a message (named).</summary>
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("from")] public DateOnly? From { get; init; }
    [JsonPropertyName("to")] public DateOnly? To { get; init; }
    [JsonPropertyName("rows_read")] public long RowsRead { get; init; }
    /// <summary>Batches read and sent (final once reading is done).</summary>
    [JsonPropertyName("batches")] public int Batches { get; init; }
    [JsonPropertyName("batches_cleaned")] public int BatchesCleaned { get; init; }
    [JsonPropertyName("batches_stored")] public int BatchesStored { get; init; }
    [JsonPropertyName("batches_synced")] public int BatchesSynced { get; init; }
    [JsonPropertyName("accepted")] public long Accepted { get; init; }
    [JsonPropertyName("quarantined")] public long Quarantined { get; init; }
    [JsonPropertyName("out_of_range")] public long OutOfRange { get; init; }
    [JsonPropertyName("duplicates_superseded")] public long DuplicatesSuperseded { get; init; }
    [JsonPropertyName("quarantined_by_reason")] public IReadOnlyDictionary<string, long> QuarantinedByReason { get; init; } = new Dictionary<string, long>();
    /// <summary>Sales rows in MySQL whose current version came from this ingestion, as MySQL counted them at completion (a later ingestion may replace some since); null until counted.</summary>
    [JsonPropertyName("stored_oltp")] public long? StoredOltp { get; init; }
    /// <summary>Its facts in the star schema, as PostgreSQL counted them at completion; null until counted.</summary>
    [JsonPropertyName("synced_olap")] public long? SyncedOlap { get; init; }
    [JsonPropertyName("rejected_olap")] public long RejectedOlap { get; init; }
    /// <summary>Rows in the ingestion's processed objects in the bucket, as cloud-publisher reported them; null until it published a batch.</summary>
    [JsonPropertyName("published_gcs")] public long? PublishedGcs { get; init; }
    /// <summary>Rows of those objects the warehouse loaded (batches all of whose objects are loaded); null until the first such batch.</summary>
    [JsonPropertyName("loaded_warehouse")] public long? LoadedWarehouse { get; init; }
    [JsonPropertyName("batches_published")] public int BatchesPublished { get; init; }
    [JsonPropertyName("batches_loaded")] public int BatchesLoaded { get; init; }
    [JsonPropertyName("rejected_olap_reasons")] public IReadOnlyDictionary<string, long> RejectedOlapReasons { get; init; } = new Dictionary<string, long>();
    /// <summary>The stores' counts agree with the stages' reports; null until both stores counted.</summary>
    [JsonPropertyName("verified")] public bool? Verified { get; init; }
    /// <summary>accepted + quarantined + out_of_range = rows_read, on the stores' counts; null until completed.</summary>
    [JsonPropertyName("balanced")] public bool? Balanced { get; init; }
    [JsonPropertyName("stages")] public IReadOnlyList<StageProgress> Stages { get; init; } = [];
    [JsonPropertyName("failures")] public IReadOnlyList<StageFailure> Failures { get; init; } = [];
    [JsonPropertyName("stalled")] public Stall? Stalled { get; init; }
    [JsonPropertyName("attribute_changes")] public IReadOnlyList<AttributeChanged> AttributeChanges { get; init; } = [];
    [JsonPropertyName("attribute_changes_total")] public int AttributeChangesTotal { get; init; }
    [JsonPropertyName("format")] public FileFormat? Format { get; init; }
    [JsonPropertyName("created_at")] public DateTime CreatedAt { get; init; }
    [JsonPropertyName("updated_at")] public DateTime UpdatedAt { get; init; }
    /// <summary>When the last stage finished its last batch (completed ingestions): with created_at, how long it took.</summary>
    [JsonPropertyName("completed_at")] public DateTime? CompletedAt { get; init; }
}

/// <summary>What one stage has done of an ingestion so far (rows_in: rows it was given; rows_out: rows it passed on or stored).</summary>
public sealed record StageProgress(
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("batches")] int Batches,
    [property: JsonPropertyName("rows_in")] long RowsIn,
    [property: JsonPropertyName("rows_out")] long RowsOut,
    [property: JsonPropertyName("quarantined")] long Quarantined,
    [property: JsonPropertyName("first_at")] DateTime? FirstAt,
    [property: JsonPropertyName("last_at")] DateTime? LastAt);

/// <summary>A message a stage gave up on (it waits in the stage's dead-letter queue); batch is null for a message about the whole ingestion.</summary>
public sealed record StageFailure(
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("batch")] int? Batch,
    [property: JsonPropertyName("message_type")] string MessageType,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("failed_at")] DateTime FailedAt);

/// <summary>No progress since <see cref="Since"/>: what the ingestion waits for.</summary>
public sealed record Stall(
    [property: JsonPropertyName("since")] DateTime Since,
    [property: JsonPropertyName("seconds")] long Seconds,
    [property: JsonPropertyName("waiting_for")] string WaitingFor);

/// <summary>How ingest read the file (see SourceFormat).</summary>
public sealed record FileFormat(
    [property: JsonPropertyName("separator")] string Separator,
    [property: JsonPropertyName("date_order")] string DateOrder,
    [property: JsonPropertyName("date_order_assumed")] bool DateOrderAssumed,
    [property: JsonPropertyName("decimal_mark")] string DecimalMark,
    [property: JsonPropertyName("line_ending")] string LineEnding,
    [property: JsonPropertyName("shape")] string Shape);
