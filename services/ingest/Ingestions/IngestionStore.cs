using System.Data.Common;
using CoffeeMesh.Contracts;
using CoffeeMesh.Ingest.Reading;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Outbox;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.Ingest.Ingestions;

/// <summary>The SQL behind ingestions: create (with its request in the outbox), watermark, finish.</summary>
public sealed class IngestionStore(ServiceStore store, Outbox outbox, Ledger.IngestionLedger ledger)
{
    private const string Columns =
        "ingestion_number, ingestion_id, source, date_from, date_to, batch_size, landing_file_id, start_offset, start_line, end_offset, end_hash, " +
        "state, separator_char, column_map, next_offset, next_line, next_sequence, rows_read, error, created_at, updated_at, " +
        "last_reported_at, count_requested_at, completed_at";

    /// <summary>Creates the ingestion and, in the same transaction, the request that will start reading it.</summary>
    /// <param name="announce">false when the request already arrived on the bus (published by someone else).</param>
    public async Task<long> CreateAsync(IngestionRecord r, CancellationToken ct, Func<DbConnection, DbTransaction, Task>? alsoInTransaction = null,
        bool announce = true)
    {
        await using var c = await store.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var now = DateTime.UtcNow;
        await c.Command(
                """
                INSERT INTO ingestion (ingestion_id, source, date_from, date_to, batch_size, landing_file_id, start_offset, start_line, end_offset,
                                       end_hash, state, separator_char, column_map, next_offset, next_line, created_at, updated_at)
                VALUES (@id, @source, @from, @to, @batch, @lf, @so, @sl, @eo, @eh, @state, @sep, @map, @so, @sl, @now, @now)
                """, tx)
            .With("@id", r.Id).With("@source", r.Source).With("@from", r.From?.ToDateTime(TimeOnly.MinValue)).With("@to", r.To?.ToDateTime(TimeOnly.MinValue))
            .With("@batch", r.BatchSize).With("@lf", r.LandingFileId).With("@so", r.StartOffset).With("@sl", r.StartLine)
            .With("@eo", r.EndOffset).With("@eh", r.EndHash).With("@state", IngestionStates.Queued)
            .With("@sep", r.Separator).With("@map", r.ColumnMap).With("@now", now)
            .ExecuteNonQueryAsync(ct);
        var number = Convert.ToInt64(await c.Command("SELECT LAST_INSERT_ID()", tx).ExecuteScalarAsync(ct));
        if (alsoInTransaction is not null) await alsoInTransaction(c, tx);
        if (!announce)
        {
            await tx.CommitAsync(ct);
            return number;
        }
        var request = new IngestionRequested { IngestionId = r.Id, Source = r.Source, From = r.From, To = r.To, RequestedAt = now };
        await outbox.AddAsync(c, tx, request, MessageIds.For("requested", r.Id, 0), ct);
        await tx.CommitAsync(ct);
        outbox.Committed();
        return number;
    }

    public async Task<IngestionRecord?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        await using var reader = await c.Command($"SELECT {Columns} FROM ingestion WHERE ingestion_id = @id").With("@id", id).ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        string? S(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        DateOnly? D(int i) => reader.IsDBNull(i) ? null : DateOnly.FromDateTime(reader.GetDateTime(i));
        return new IngestionRecord
        {
            Number = reader.GetInt64(0), Id = reader.GetGuid(1), Source = reader.GetString(2), From = D(3), To = D(4), BatchSize = reader.GetInt32(5),
            LandingFileId = reader.IsDBNull(6) ? null : reader.GetInt64(6), StartOffset = reader.GetInt64(7), StartLine = reader.GetInt64(8),
            EndOffset = reader.GetInt64(9), EndHash = S(10), State = reader.GetString(11), Separator = S(12), ColumnMap = S(13),
            NextOffset = reader.GetInt64(14), NextLine = reader.GetInt64(15), NextSequence = reader.GetInt32(16), RowsRead = reader.GetInt64(17),
            Error = S(18), CreatedAt = Utc(19), UpdatedAt = Utc(20), LastReportedAt = UtcOrNull(21), CountRequestedAt = UtcOrNull(22),
            CompletedAt = UtcOrNull(23),
        };
        DateTime Utc(int i) => DateTime.SpecifyKind(reader.GetDateTime(i), DateTimeKind.Utc);
        DateTime? UtcOrNull(int i) => reader.IsDBNull(i) ? null : Utc(i);
    }

    /// <summary>
    /// Moves the watermark past a batch that has been published. Guarded by the sequence it expects,
    /// so if two readers ever work on one ingestion only one advances (the other stops).
    /// </summary>
    public async Task<bool> AdvanceAsync(Guid id, int expectedSequence, ReadChunk chunk, int nextSequence, long rowsRead, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        var updated = await c.Command(
                """
                UPDATE ingestion SET next_offset = @off, next_line = @line, next_sequence = @next, rows_read = @rows, state = @state,
                       separator_char = @sep, column_map = @map, updated_at = @now
                WHERE ingestion_id = @id AND next_sequence = @expected AND state IN ('queued', 'reading')
                """)
            .With("@off", chunk.Next.Offset).With("@line", chunk.Next.Line).With("@next", nextSequence).With("@rows", rowsRead)
            .With("@state", IngestionStates.Reading).With("@sep", chunk.ResumeLayout.Separator.ToString()).With("@map", chunk.ResumeLayout.Serialize())
            .With("@now", DateTime.UtcNow).With("@id", id).With("@expected", expectedSequence)
            .ExecuteNonQueryAsync(ct);
        return updated == 1;
    }

    /// <summary>
    /// Ends an ingestion (read to the end, or failed) and, when the stages have reported every batch already,
    /// asks the stores to count it (IngestionLedger, through the outbox); a landing
    /// file's watermark moves to the end of what was read, in the same transaction.
    /// </summary>
    public async Task FinishAsync(IngestionRecord r, string? error, SourceFormat? layout, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        await using var tx = await c.BeginTransactionAsync(ct);
        var now = DateTime.UtcNow;
        var state = error is null ? IngestionStates.Read : IngestionStates.Failed;
        var finished = await c.Command(
                "UPDATE ingestion SET state = @state, error = @error, updated_at = @now WHERE ingestion_id = @id AND state IN ('queued', 'reading')", tx)
            .With("@state", state).With("@error", error).With("@now", now).With("@id", r.Id)
            .ExecuteNonQueryAsync(ct);
        if (finished == 0) { await tx.RollbackAsync(ct); return; }
        if (r.LandingFileId is { } fileId)
        {
            // A failed file is not retried until its content changes (the hash covers what was tried).
            var size = Convert.ToInt64(await c.Command("SELECT size_bytes FROM landing_file WHERE landing_file_id = @fid", tx).With("@fid", fileId).ExecuteScalarAsync(ct));
            var endLine = error is null ? (await GetLineAsync(c, tx, r.Id, ct)) : r.StartLine;
            await c.Command(
                    """
                    UPDATE landing_file SET ingested_bytes = @end, ingested_lines = @line, content_hash = @hash, pending_ingestion_id = NULL,
                           separator_char = COALESCE(@sep, separator_char), column_map = COALESCE(@map, column_map),
                           state = @state, reason = @reason, updated_at = @now
                    WHERE landing_file_id = @fid
                    """, tx)
                .With("@state", error is not null ? "failed" : r.EndOffset < size ? "waiting" : "ingested")
                .With("@reason", error is not null ? (error.Length > 1024 ? error[..1023] + "…" : error)
                    : r.EndOffset < size ? "its last line has no line break yet: it is taken once the file has settled (Ingest:SettleSeconds)" : null)
                .With("@end", r.EndOffset).With("@line", endLine).With("@hash", r.EndHash)
                .With("@sep", error is null ? layout?.Separator.ToString() : null).With("@map", error is null ? layout?.Serialize() : null)
                .With("@now", now).With("@fid", fileId)
                .ExecuteNonQueryAsync(ct);
        }
        // The stages may have reported every batch before reading was marked done.
        var countRequested = error is null && await ledger.ReadingFinishedAsync(c, tx, r.Id, ct);
        await tx.CommitAsync(ct);
        if (countRequested) outbox.Committed();
    }

    private static async Task<long> GetLineAsync(DbConnection c, DbTransaction tx, Guid id, CancellationToken ct) =>
        Convert.ToInt64(await c.Command("SELECT next_line FROM ingestion WHERE ingestion_id = @id", tx).With("@id", id).ExecuteScalarAsync(ct));
}
