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
/// ingested under another name), and a file that grew becomes an ingestion of its new complete
/// lines; a file whose last line has no line break is taken whole once it has settled
/// (<see cref="IngestOptions.SettleSeconds"/>). Every file's state and, when it is not ingested,
/// the reason are recorded (GET /landing) and logged when they change. Only one replica scans at a
/// time (a MySQL named lock).
/// </summary>
public sealed class LandingScan(ServiceStore store, IngestionStore ingestions, LandingFolder landing, IOptions<IngestOptions> options, ILogger<LandingScan> logger)
{
    /// <summary>
    /// How soon a scan with no new file event can take more: while another ingestion of a file
    /// (or of a file of the same content) runs, the change it waits for is looked at again after
    /// this long.
    /// </summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    /// <summary>What one scan did.</summary>
    /// <param name="Ran">False when another scan (another replica, or POST /landing/scan) held the scan lock: nothing was looked at.</param>
    /// <param name="Created">The ingestions it started.</param>
    /// <param name="RescanAt">
    /// When (UTC) a later scan can take more without any new change to the files: a file waiting
    /// to settle, or one that changed while it was being ingested; null when nothing waits.
    /// </param>
    public sealed record Outcome(bool Ran, IReadOnlyList<Guid> Created, DateTime? RescanAt);

    /// <summary>Scans incoming/ once; returns the ingestions it started (none when another scan holds the lock).</summary>
    public async Task<IReadOnlyList<Guid>> RunAsync(CancellationToken ct) => (await ScanAsync(ct)).Created;

    /// <summary>Scans incoming/ once; see <see cref="Outcome"/>.</summary>
    public async Task<Outcome> ScanAsync(CancellationToken ct)
    {
        var created = new List<Guid>();
        DateTime? rescanAt = null;
        await using var lockConnection = await store.OpenAsync(ct);
        var got = await lockConnection.Command("SELECT GET_LOCK('coffeemesh_landing_scan', 0)").ExecuteScalarAsync(ct);
        if (Convert.ToInt64(got ?? 0) != 1) return new Outcome(false, created, null);
        try
        {
            foreach (var file in Directory.EnumerateFiles(landing.Incoming, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (LandingFiles.IgnoredName(file)) continue;
                try
                {
                    var (id, again) = await ScanFileAsync(file, ct);
                    if (id is not null) created.Add(id.Value);
                    if (again is not null && (rescanAt is null || again < rescanAt)) rescanAt = again;
                }
                catch (IOException e)
                {
                    await RecordAsync(landing.Relative(file), LandingFiles.Unreadable, $"cannot be read now: {e.Message}", 0, ct);
                }
            }
        }
        finally
        {
            await lockConnection.Command("SELECT RELEASE_LOCK('coffeemesh_landing_scan')").ExecuteScalarAsync(CancellationToken.None);
        }
        return new Outcome(true, created, rescanAt);
    }

    private sealed record LandingFile(long Id, long IngestedBytes, long IngestedLines, string? ContentHash, string? Separator, string? ColumnMap,
        Guid? Pending, string State, string? Reason, long SizeBytes);

    /// <summary>One file: the ingestion it started, if any, and when a later scan may take more of it without a new change.</summary>
    private async Task<(Guid? Created, DateTime? RescanAt)> ScanFileAsync(string file, CancellationToken ct)
    {
        var relative = landing.Relative(file);
        var known = await FindAsync(PathHash(relative), ct);
        var size = new FileInfo(file).Length;
        // Still being ingested; if the file holds more than that ingestion takes (it grew, or its
        // last line had no line break), look again soon: the rest is taken once that ingestion ends.
        if (known?.Pending is { } pending)
            return (null, size != known.SizeBytes || await PendingEndAsync(pending, ct) < size ? DateTime.UtcNow + Recheck : null);
        var settle = TimeSpan.FromSeconds(options.Value.SettleSeconds);
        var (end, whole) = LandingFolder.ReadyEnd(file, settle, DateTime.UtcNow);
        // A line without its line break is taken once the file has settled: that is when to look again.
        DateTime? settled = whole ? null : File.GetLastWriteTimeUtc(file) + settle;
        if (end == 0)
        {
            await RecordAsync(relative, size == 0 ? LandingFiles.Empty : LandingFiles.Waiting,
                size == 0 ? "the file is empty" : $"no complete line yet: a line without its line break is taken once the file is unchanged for {settle.TotalSeconds:0} s",
                size, ct);
            return (null, settled);
        }

        if (known?.ContentHash is null)
        {
            var hash = (await LandingFolder.HashPrefixesAsync(file, end, end, ct)).End;
            if (await FindByContentAsync(hash, end, ct) is { } copy)
            {
                await RecordAsync(relative, LandingFiles.Duplicate, $"same content as {copy.Path}, already ingested", size, ct, copy.File);
                return (null, settled);
            }
            if (await BeingIngestedAsync(hash, end, ct) is { } original)
            {
                await RecordAsync(relative, LandingFiles.Waiting, $"same content as {original}, which is being ingested: decided when that ends", size, ct);
                return (null, DateTime.UtcNow + Recheck);
            }
            var id = known?.Id ?? await RecordAsync(relative, LandingFiles.Waiting, null, size, ct);
            return (await CreateIngestionAsync(relative, id, 0, 1, end, hash, null, null, size, ct), null);
        }

        if (end == known.IngestedBytes)
        {
            if (known.State == LandingFiles.Failed) return (null, null); // its reason stays until the content changes
            if (end < size)
                await RecordAsync(relative, LandingFiles.Waiting,
                    $"its last line has no line break yet: it is taken once the file is unchanged for {settle.TotalSeconds:0} s", size, ct);
            else await RecordAsync(relative, LandingFiles.Ingested, null, size, ct);
            return (null, settled);
        }
        var (prefix, wholeHash) = await LandingFolder.HashPrefixesAsync(file, Math.Min(known.IngestedBytes, end), end, ct);
        if (end < known.IngestedBytes || prefix != known.ContentHash)
        {
            logger.LogWarning("Landing file {File} was replaced or truncated; ingesting it again from the start", relative);
            return (await CreateIngestionAsync(relative, known.Id, 0, 1, end, wholeHash, null, null, size, ct), null);
        }
        if (known.ColumnMap is null)
        {
            await RecordAsync(relative, LandingFiles.Failed,
                $"its header could not be read before ({known.Reason ?? "see its ingestion"}); it is tried again when its first lines change", size, ct);
            return (null, null);
        }
        return (await CreateIngestionAsync(relative, known.Id, known.IngestedBytes, known.IngestedLines, end, wholeHash, known.Separator, known.ColumnMap, size, ct), null);
    }

    private async Task<Guid> CreateIngestionAsync(string relative, long fileId, long start, long startLine, long end, string endHash,
        string? separator, string? columnMap, long size, CancellationToken ct)
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
            c.Command("UPDATE landing_file SET pending_ingestion_id = @id, last_ingestion_id = @id, state = @state, reason = NULL, size_bytes = @size, " +
                      "updated_at = @now WHERE landing_file_id = @fid", tx)
                .With("@id", record.Id).With("@state", LandingFiles.Ingesting).With("@size", size).With("@now", DateTime.UtcNow).With("@fid", fileId)
                .ExecuteNonQueryAsync(ct));
        logger.LogInformation("Landing file {File}: ingestion {IngestionId} of bytes {Start}..{End}", relative, record.Id, start, end);
        return record.Id;
    }

    private static string PathHash(string relative) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(relative)));

    private const string FileColumns =
        "landing_file_id, ingested_bytes, ingested_lines, content_hash, separator_char, column_map, pending_ingestion_id, state, reason, size_bytes";

    private async Task<LandingFile?> FindAsync(string pathHash, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        return await ReadOneAsync(c.Command($"SELECT {FileColumns} FROM landing_file WHERE path_hash = @h").With("@h", pathHash), ct);
    }

    private sealed record Copy(string Path, LandingFile File);

    private async Task<Copy?> FindByContentAsync(string hash, long length, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        var file = await ReadOneAsync(c.Command($"SELECT {FileColumns} FROM landing_file WHERE content_hash = @h AND ingested_bytes = @n LIMIT 1")
            .With("@h", hash).With("@n", length), ct);
        if (file is null) return null;
        var path = await c.Command("SELECT path FROM landing_file WHERE landing_file_id = @id").With("@id", file.Id).ExecuteScalarAsync(ct);
        return new Copy((string)path!, file);
    }

    /// <summary>Where the running ingestion of a file ends (bytes); 0 when that ingestion is gone.</summary>
    private async Task<long> PendingEndAsync(Guid ingestion, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        return Convert.ToInt64(await c.Command("SELECT end_offset FROM ingestion WHERE ingestion_id = @id").With("@id", ingestion).ExecuteScalarAsync(ct) ?? 0L);
    }

    /// <summary>A file of the same content whose first ingestion is still running (its hash is recorded when it ends).</summary>
    private async Task<string?> BeingIngestedAsync(string hash, long length, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        return (string?)await c.Command(
                "SELECT lf.path FROM landing_file lf JOIN ingestion i ON i.ingestion_id = lf.pending_ingestion_id " +
                "WHERE i.end_hash = @h AND i.end_offset = @n AND i.start_offset = 0 LIMIT 1")
            .With("@h", hash).With("@n", length).ExecuteScalarAsync(ct);
    }

    private static async Task<LandingFile?> ReadOneAsync(DbCommand command, CancellationToken ct)
    {
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        string? S(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        return new LandingFile(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), S(3), S(4), S(5), r.IsDBNull(6) ? null : r.GetGuid(6), r.GetString(7), S(8), r.GetInt64(9));
    }

    /// <summary>
    /// Records what the scan made of a file (a new row for a file seen first); logs the reason when
    /// the state or reason changed. A duplicate takes the watermark of the file it copies, so that
    /// rows appended to it later are ingested from there.
    /// </summary>
    private async Task<long> RecordAsync(string relative, string state, string? reason, long size, CancellationToken ct, LandingFile? copyOf = null)
    {
        await using var c = await store.OpenAsync(ct);
        var pathHash = PathHash(relative);
        var before = await ReadOneAsync(c.Command($"SELECT {FileColumns} FROM landing_file WHERE path_hash = @h").With("@h", pathHash), ct);
        var now = DateTime.UtcNow;
        if (before is null)
        {
            await c.Command(
                    """
                    INSERT INTO landing_file (path, path_hash, ingested_bytes, ingested_lines, content_hash, separator_char, column_map, state, reason, size_bytes, updated_at)
                    VALUES (@p, @h, @b, @l, @ch, @s, @m, @state, @reason, @size, @now)
                    """)
                .With("@p", relative).With("@h", pathHash).With("@b", copyOf?.IngestedBytes ?? 0).With("@l", copyOf?.IngestedLines ?? 1)
                .With("@ch", copyOf?.ContentHash).With("@s", copyOf?.Separator).With("@m", copyOf?.ColumnMap)
                .With("@state", state).With("@reason", Clip(reason)).With("@size", size).With("@now", now)
                .ExecuteNonQueryAsync(ct);
        }
        else
        {
            var watermark = copyOf is null ? "" :
                ", ingested_bytes = @b, ingested_lines = @l, content_hash = @ch, separator_char = @s, column_map = @m";
            await c.Command($"UPDATE landing_file SET state = @state, reason = @reason, size_bytes = @size, updated_at = @now{watermark} WHERE landing_file_id = @id")
                .With("@state", state).With("@reason", Clip(reason)).With("@size", size).With("@now", now).With("@id", before.Id)
                .With("@b", copyOf?.IngestedBytes ?? 0).With("@l", copyOf?.IngestedLines ?? 1).With("@ch", copyOf?.ContentHash)
                .With("@s", copyOf?.Separator).With("@m", copyOf?.ColumnMap)
                .ExecuteNonQueryAsync(ct);
        }
        if (reason is not null && (before?.State != state || before.Reason != Clip(reason)))
            logger.LogInformation("Landing file {File} not ingested now ({State}): {Reason}", relative, state, reason);
        return before?.Id ?? Convert.ToInt64(await c.Command("SELECT landing_file_id FROM landing_file WHERE path_hash = @h").With("@h", pathHash).ExecuteScalarAsync(ct));
    }

    private static string? Clip(string? reason) => reason is { Length: > 1024 } ? reason[..1023] + "…" : reason;
}
