using CoffeeMesh.Ingest.Reading;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.Ingest.Scheduling;

/// <summary>
/// The files of <c>incoming/</c> as the scan left them: GET /landing. States: <c>ingesting</c>,
/// <c>ingested</c> (up to date), <c>waiting</c> (a line without its line break, or nothing complete
/// yet), <c>duplicate</c> (the content of a file already ingested), <c>failed</c> (its ingestion
/// failed; the reason is its error), <c>empty</c>, <c>unreadable</c>; files the scan has not seen
/// yet are <c>new</c>, and hidden or temporary names are <c>ignored</c>.
/// </summary>
public sealed class LandingFiles(ServiceStore store, LandingFolder landing)
{
    public const string Ingesting = "ingesting";
    public const string Ingested = "ingested";
    public const string Waiting = "waiting";
    public const string Duplicate = "duplicate";
    public const string Failed = "failed";
    public const string Empty = "empty";
    public const string Unreadable = "unreadable";
    public const string New = "new";
    public const string Ignored = "ignored";

    /// <summary>Names a writer uses while a file is not finished (".name", "*.tmp", "*.part"): never ingested.</summary>
    public static bool IgnoredName(string path)
    {
        var name = Path.GetFileName(path);
        return name.StartsWith('.') || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".part", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>One landing file: path relative to the landing folder, sizes in bytes.</summary>
    public sealed record Entry(string Path, string State, string? Reason, long SizeBytes, long IngestedBytes, Guid? LastIngestionId, DateTime? UpdatedAt);

    /// <summary>Every file under incoming/ (at most <paramref name="limit"/>, by path), with its state and reason.</summary>
    public async Task<IReadOnlyList<Entry>> ListAsync(int limit, CancellationToken ct)
    {
        var recorded = new Dictionary<string, Entry>(StringComparer.Ordinal);
        await using (var c = await store.OpenAsync(ct))
        await using (var r = await c.Command(
                               "SELECT path, state, reason, size_bytes, ingested_bytes, last_ingestion_id, updated_at FROM landing_file ORDER BY path LIMIT @limit")
                           .With("@limit", limit).ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                recorded[r.GetString(0)] = new Entry(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt64(3), r.GetInt64(4),
                    r.IsDBNull(5) ? null : r.GetGuid(5), r.GetDateTime(6));
        var entries = new List<Entry>();
        foreach (var file in Directory.EnumerateFiles(landing.Incoming, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(limit))
        {
            var relative = landing.Relative(file);
            if (recorded.Remove(relative, out var entry)) entries.Add(entry);
            else if (IgnoredName(file))
                entries.Add(new Entry(relative, Ignored, "a hidden or temporary name (.name, *.tmp, *.part): rename it when it is complete", new FileInfo(file).Length, 0, null, null));
            else entries.Add(new Entry(relative, New, "not scanned yet (POST /landing/scan scans now)", new FileInfo(file).Length, 0, null, null));
        }
        // Recorded files that are gone from the folder are listed too: what was ingested from them stays.
        entries.AddRange(recorded.Values.Select(e => e with { Reason = "the file is no longer in the folder" }));
        return entries.OrderBy(e => e.Path, StringComparer.Ordinal).Take(limit).ToList();
    }
}
