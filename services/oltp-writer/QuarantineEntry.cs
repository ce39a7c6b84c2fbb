using System.Text.Json.Serialization;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.OltpWriter;

/// <summary>One quarantined row as the API shows it.</summary>
public sealed record QuarantineEntry(
    [property: JsonPropertyName("line")] long Line,
    [property: JsonPropertyName("raw")] string Raw,
    [property: JsonPropertyName("reasons")] List<string> Reasons)
{
    public static async Task<List<QuarantineEntry>> ListAsync(ServiceStore store, Guid id, int limit, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        var entries = new List<QuarantineEntry>();
        await using var r = await c.Command(
                """
                SELECT q.source_line, q.raw_line, GROUP_CONCAT(CONCAT(r.reason, ': ', r.detail) ORDER BY r.reason_no SEPARATOR '\n')
                FROM (SELECT * FROM quarantined_row WHERE ingestion_id = @id ORDER BY source_line LIMIT @limit) q
                JOIN quarantine_reason r ON r.ingestion_id = q.ingestion_id AND r.source_line = q.source_line
                GROUP BY q.source_line, q.raw_line ORDER BY q.source_line
                """).With("@id", id).With("@limit", limit).ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            entries.Add(new(r.GetInt64(0), r.GetString(1), r.GetString(2).Split('\n').ToList()));
        return entries;
    }
}
