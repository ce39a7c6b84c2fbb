using System.Globalization;

namespace CoffeeMesh.WarehouseLoader.Warehouse;

/// <summary>
/// One generation of one processed CSV object in the bucket, as its finalize event and metadata describe it
/// (cloud-publisher's metadata: ingestion_id, ingestion_number, sequence, batch_objects, rows, quantity, amount).
/// </summary>
public sealed record ProcessedObject
{
    public required string Bucket { get; init; }
    public required string Name { get; init; }
    /// <summary>GCS's generation number of the content that was finalized.</summary>
    public required long Generation { get; init; }
    public required Guid IngestionId { get; init; }
    /// <summary>The ingestion's number: its rows replace rows of lower numbers with the same transaction id.</summary>
    public required long IngestionNumber { get; init; }
    public required int Sequence { get; init; }
    /// <summary>How many objects the batch wrote in all.</summary>
    public required int BatchObjects { get; init; }
    /// <summary>Data rows the object says it holds (its metadata), or null when it does not say.</summary>
    public long? Rows { get; init; }

    /// <summary>The idempotency key of a load: <c>bucket/name#generation</c>.</summary>
    public string Key => $"{Bucket}/{Name}#{Generation.ToString(CultureInfo.InvariantCulture)}";

    /// <summary><c>gs://bucket/name</c>, for a warehouse that reads the bucket itself (BigQuery load jobs).</summary>
    public string GsUri => $"gs://{Bucket}/{Name}";

    /// <summary>
    /// The object from a finalize event's object resource fields. Returns null, with the reason, when the
    /// metadata cloud-publisher writes is missing or malformed (not one of our processed objects).
    /// </summary>
    public static ProcessedObject? From(string bucket, string name, long generation, IReadOnlyDictionary<string, string>? metadata, out string? reason)
    {
        reason = null;
        string? Get(string key) => metadata is not null && metadata.TryGetValue(key, out var v) ? v : null;
        if (!Guid.TryParse(Get("ingestion_id"), out var ingestion)) { reason = "metadata ingestion_id missing or not a UUID"; return null; }
        if (!long.TryParse(Get("ingestion_number"), NumberStyles.None, CultureInfo.InvariantCulture, out var number)) { reason = "metadata ingestion_number missing"; return null; }
        if (!int.TryParse(Get("sequence"), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)) { reason = "metadata sequence missing"; return null; }
        if (!int.TryParse(Get("batch_objects"), NumberStyles.None, CultureInfo.InvariantCulture, out var objects) || objects < 1) { reason = "metadata batch_objects missing"; return null; }
        long? rows = long.TryParse(Get("rows"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : null;
        return new ProcessedObject
        {
            Bucket = bucket, Name = name, Generation = generation, IngestionId = ingestion, IngestionNumber = number,
            Sequence = sequence, BatchObjects = objects, Rows = rows,
        };
    }
}
