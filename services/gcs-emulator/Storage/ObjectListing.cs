namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>What to list: GCS's <c>prefix</c>, <c>delimiter</c>, <c>startOffset</c> (inclusive),
/// <c>endOffset</c> (exclusive), <c>versions</c>, <c>maxResults</c>, and where the previous page ended.</summary>
public sealed record ListQuery(
    string? Prefix,
    string? Delimiter,
    string? StartOffset,
    string? EndOffset,
    bool Versions,
    int MaxResults,
    ListPosition? After);

/// <summary>The last entry of a page: a prefix, or an object name (with its generation when listing versions).</summary>
public sealed record ListPosition(string Name, long Generation, bool IsPrefix);

/// <summary>A page: objects and prefixes in listing order, and where the next page starts (null on the last).</summary>
public sealed record ListPage(IReadOnlyList<ObjectRecord> Items, IReadOnlyList<string> Prefixes, ListPosition? Next);

/// <summary>
/// Pages through a bucket in GCS order (UTF-8 name order, then generation). Objects and prefixes both count
/// towards <c>maxResults</c>, as in GCS. A page is cut after an entry, and the next starts right after it, so
/// every entry comes exactly once even when objects are added or removed between pages.
/// </summary>
public static class ObjectListing
{
    /// <summary>The page of <paramref name="query"/> in <paramref name="bucket"/>.</summary>
    public static ListPage Page(BucketState bucket, ListQuery query)
    {
        var items = new List<ObjectRecord>();
        var prefixes = new List<string>();
        ListPosition? last = null;
        var count = 0;
        foreach (var (position, item, prefix) in Entries(bucket, query))
        {
            if (count == query.MaxResults) return new ListPage(items, prefixes, last);
            if (item is not null) items.Add(item); else prefixes.Add(prefix!);
            last = position;
            count++;
        }
        return new ListPage(items, prefixes, null);
    }

    private static IEnumerable<(ListPosition Position, ObjectRecord? Item, string? Prefix)> Entries(BucketState bucket, ListQuery q)
    {
        var cmp = ObjectNameComparer.Instance;
        var prefix = q.Prefix ?? "";
        var from = prefix;
        if (q.StartOffset is { } start && cmp.Compare(start, from) > 0) from = start;
        if (q.After is { } after && cmp.Compare(after.Name, from) > 0) from = after.Name;
        if (bucket.Names.Count == 0 || cmp.Compare(from, bucket.Names.Max) > 0) yield break;

        string? lastPrefix = q.After is { IsPrefix: true } ap ? ap.Name : null;
        foreach (var name in bucket.Names.GetViewBetween(from, bucket.Names.Max!))
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) yield break;
            if (q.EndOffset is { } end && cmp.Compare(name, end) >= 0) yield break;
            if (lastPrefix is not null && name.StartsWith(lastPrefix, StringComparison.Ordinal)) continue;

            var versions = bucket.Objects[name];
            IEnumerable<ObjectRecord> visible = q.Versions ? versions.All : versions.Live is null ? [] : [versions.Live];
            if (q.After is { IsPrefix: false } a && a.Name == name)
                visible = visible.Where(o => q.Versions && o.Generation > a.Generation);
            var list = visible.ToList();
            if (list.Count == 0) continue;

            if (q.Delimiter is { Length: > 0 } delimiter)
            {
                var at = name.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                if (at >= 0)
                {
                    lastPrefix = name[..(at + delimiter.Length)];
                    yield return (new ListPosition(lastPrefix, 0, true), null, lastPrefix);
                    continue;
                }
            }
            foreach (var o in list) yield return (new ListPosition(o.Name, o.Generation, false), o, null);
        }
    }
}
