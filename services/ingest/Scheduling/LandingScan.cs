using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using CoffeeMesh.Ingest.Ingestions;
using CoffeeMesh.Ingest.Reading;
using CoffeeMesh.Messaging.Storage;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest.Scheduling;

/// <summary>
/// One pass over <c>incoming/</c>: a new file becomes an ingestion (unless its content was already
/// ingested under another name), and a file that grew becomes an ingestion of its new complete lines.
/// Only one replica scans at a time (a MySQL named lock).
/// </summary>
public sealed class LandingScan(ServiceStore store, IngestionStore ingestions, LandingFolder landing, IOptions<IngestOptions> options, ILogger<LandingScan> logger)
{
    public async Task<IReadOnlyList<Guid>> RunAsync(CancellationToken ct)
    {
        var created = new List<Guid>();
        await using var lockConnection = await store.OpenAsync(ct);
        var got = await lockConnection.Command("SELECT GET_LOCK('coffeemesh_landing_scan', 0)").ExecuteScalarAsync(ct);
        if (Convert.ToInt64(got ?? 0) != 1) return created;
        try
        {
            var files = Directory.EnumerateFiles(landing.Incoming, "*", SearchOption.AllDirectories)
                .Where(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith(".tmp") && !f.EndsWith(".part"))
                .Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                try
                {
                    if (await ScanFileAsync(file, ct) is { } id) created.Add(id);
                }
                catch (IOException e)
                {
                    logger.LogWarning("Landing file {File} skipped this time: {Error}", file, e.Message);
                }
            }
        }
        finally
        {
            await lockConnection.Command("SELECT RELEASE_LOCK('coffeemesh_landing_scan')").ExecuteScalarAsync(CancellationToken.None);
        }
        return created;
    }

    private sealed record LandingFile(long Id, long IngestedBytes, long IngestedLines, string? ContentHash, string? Separator, string? ColumnMap, Guid? Pending);

    private async Task<Guid?> ScanFileAsync(string file, CancellationToken ct)
    {
        var relative = landing.Relative(file);
        var pathHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(relative)));
        var known = await FindAsync(pathHash, ct);
        if (known?.Pending is not null) return null; // still being ingested
        var end = LandingFolder.CompleteLinesEnd(file);
        if (end == 0) return null;

        if (known is null)
        {
            var hash = (await LandingFolder.HashPrefixesAsync(file, end, end, ct)).End;
            var copy = await FindByContentAsync(hash, end, ct);
            if (copy is not null)
            {
                logger.LogInformation("Landing file {File} has the content of a file already ingested; not ingested again", relative);
                await InsertAsync(relative, pathHash, copy with { Pending = null }, ct);
                return null;
            }
            var id = await InsertAsync(relative, pathHash, new LandingFile(0, 0, 1, null, null, null, null), ct);
            return await CreateIngestionAsync(relative, id, 0, 1, end, hash, null, null, ct);
        }

        if (end == known.IngestedBytes) return null;
        var (prefix, whole) = await LandingFolder.HashPrefixesAsync(file, Math.Min(known.IngestedBytes, end), end, ct);
        if (end < known.IngestedBytes || prefix != known.ContentHash)
        {
            logger.LogWarning("Landing file {File} was replaced or truncated; ingesting it again from the start", relative);
            return await CreateIngestionAsync(relative, known.Id, 0, 1, end, whole, null, null, ct);
        }
        if (known.ColumnMap is null) return null; // its header failed before: wait for the content to change
        return await CreateIngestionAsync(relative, known.Id, known.IngestedBytes, known.IngestedLines, end, whole, known.Separator, known.ColumnMap, ct);
    }

    private async Task<Guid> CreateIngestionAsync(string relative, long fileId, long start, long startLine, long end, string endHash,
        string? separator, string? columnMap, CancellationToken ct)
    {
        var record = new IngestionRecord
        {
            Id = Guid.NewGuid(),
            Source = relative,
            BatchSize = options.Value.BatchSize,
            LandingFileId = fileId,
            StartOffset = start,
            StartLine = startLine,
            EndOffset = end,
            EndHash = endHash,
            Separator = separator,
            ColumnMap = columnMap,
        };
        await ingestions.CreateAsync(record, ct, (c, tx) =>
            c.Command("UPDATE landing_file SET pending_ingestion_id = @id WHERE landing_file_id = @fid", tx)
                .With("@id", record.Id).With("@fid", fileId).ExecuteNonQueryAsync(ct));
        logger.LogInformation("Landing file {File}: ingestion {IngestionId} of bytes {Start}..{End}", relative, record.Id, start, end);
        return record.Id;
    }

    private async Task<LandingFile?> FindAsync(string pathHash, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        return await ReadOneAsync(c.Command(
            "SELECT landing_file_id, ingested_bytes, ingested_lines, content_hash, separator_char, column_map, pending_ingestion_id FROM landing_file WHERE path_hash = @h")
            .With("@h", pathHash), ct);
    }

    private async Task<LandingFile?> FindByContentAsync(string hash, long length, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        return await ReadOneAsync(c.Command(
                "SELECT landing_file_id, ingested_bytes, ingested_lines, content_hash, separator_char, column_map, pending_ingestion_id FROM landing_file " +
                "WHERE content_hash = @h AND ingested_bytes = @n LIMIT 1")
            .With("@h", hash).With("@n", length), ct);
    }

    private static async Task<LandingFile?> ReadOneAsync(DbCommand command, CancellationToken ct)
    {
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new LandingFile(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3),
            r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetGuid(6));
    }

    private async Task<long> InsertAsync(string relative, string pathHash, LandingFile state, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        await c.Command(
                """
                INSERT INTO landing_file (path, path_hash, ingested_bytes, ingested_lines, content_hash, separator_char, column_map, updated_at)
                VALUES (@p, @h, @b, @l, @ch, @s, @m, @now)
                """)
            .With("@p", relative).With("@h", pathHash).With("@b", state.IngestedBytes).With("@l", state.IngestedLines)
            .With("@ch", state.ContentHash).With("@s", state.Separator).With("@m", state.ColumnMap).With("@now", DateTime.UtcNow)
            .ExecuteNonQueryAsync(ct);
        return Convert.ToInt64(await c.Command("SELECT LAST_INSERT_ID()").ExecuteScalarAsync(ct));
    }
}
