using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.Ingest.Failures;

/// <summary>
/// Messages a stage gave up on (after its retries, into an <c>_error</c> queue), per ingestion: what
/// makes an ingestion <c>failed</c> with the stage, the batch and the reason, and what
/// <c>./coffeemesh errors</c> lists. A replay marks them resolved; a message that fails again is
/// recorded again.
/// </summary>
public sealed class StageFailures(ServiceStore store)
{
    /// <summary>One failure; <see cref="Sequence"/> is the batch, or -1 for a message about the whole ingestion.</summary>
    public sealed record Failure(Guid IngestionId, string Stage, int Sequence, string MessageType, string Reason, DateTime FailedAt);

    public async Task RecordAsync(Failure f, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        await c.Command(
                """
                INSERT INTO stage_failure (ingestion_id, stage, sequence, message_type, reason, failed_at)
                VALUES (@id, @stage, @seq, @type, @reason, @at)
                ON DUPLICATE KEY UPDATE message_type = VALUES(message_type), reason = VALUES(reason), failed_at = VALUES(failed_at), resolved_at = NULL
                """)
            .With("@id", f.IngestionId).With("@stage", f.Stage).With("@seq", f.Sequence).With("@type", f.MessageType)
            .With("@reason", f.Reason.Length > 4000 ? f.Reason[..4000] : f.Reason).With("@at", f.FailedAt)
            .ExecuteNonQueryAsync(ct);
    }

    /// <summary>The unresolved failures, of one ingestion or of all (newest first, at most <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<Failure>> OpenAsync(Guid? ingestionId, int limit, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        var command = c.Command(
                "SELECT ingestion_id, stage, sequence, message_type, reason, failed_at FROM stage_failure WHERE resolved_at IS NULL" +
                (ingestionId is null ? "" : " AND ingestion_id = @id") + " ORDER BY failed_at DESC LIMIT @limit")
            .With("@limit", limit);
        if (ingestionId is { } id) command.With("@id", id);
        var list = new List<Failure>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new Failure(r.GetGuid(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetString(4), DateTime.SpecifyKind(r.GetDateTime(5), DateTimeKind.Utc)));
        return list;
    }

    /// <summary>Marks an ingestion's failures (or all) resolved: their messages are being sent back.</summary>
    public async Task<int> ResolveAsync(Guid? ingestionId, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        var command = c.Command("UPDATE stage_failure SET resolved_at = @now WHERE resolved_at IS NULL" + (ingestionId is null ? "" : " AND ingestion_id = @id"))
            .With("@now", DateTime.UtcNow);
        if (ingestionId is { } id) command.With("@id", id);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
