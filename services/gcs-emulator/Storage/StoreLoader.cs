namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>
/// Reads the data folder at start and repairs what a crash can leave: temporary files, data without metadata
/// (a commit cut short), metadata without data, and two live generations of one name (the newer wins).
/// </summary>
public static class StoreLoader
{
    /// <summary>Every bucket with its objects.</summary>
    public static List<BucketState> Load(StoreLayout layout, ILogger log)
    {
        foreach (var leftover in Directory.EnumerateFiles(layout.Temp)) File.Delete(leftover);
        var buckets = new List<BucketState>();
        foreach (var dir in Directory.EnumerateDirectories(layout.Buckets))
        {
            var file = Path.Combine(dir, "bucket.json");
            if (!File.Exists(file)) continue;
            var bucket = new BucketState(StoreJson.Read<BucketRecord>(file)!);
            var objectsDir = layout.ObjectsDir(bucket.Bucket.Name);
            Directory.CreateDirectory(objectsDir);
            foreach (var objectDir in Directory.EnumerateDirectories(objectsDir)) LoadObject(layout, bucket, objectDir, log);
            buckets.Add(bucket);
        }
        return buckets;
    }

    private static void LoadObject(StoreLayout layout, BucketState bucket, string dir, ILogger log)
    {
        var records = new List<ObjectRecord>();
        foreach (var path in Directory.EnumerateFiles(dir))
        {
            if (AtomicFile.IsLeftover(path)) { File.Delete(path); continue; }
            if (!path.EndsWith(".json", StringComparison.Ordinal)) continue;
            var record = StoreJson.Read<ObjectRecord>(path)!;
            if (File.Exists(layout.DataFile(record))) records.Add(record);
            else File.Delete(path);
        }
        var known = records.Select(r => layout.DataFile(r)).ToHashSet(StringComparer.Ordinal);
        foreach (var data in Directory.EnumerateFiles(dir, "*.data"))
        {
            if (known.Contains(data)) continue;
            log.LogWarning("Removing {File}: its commit did not finish", data);
            File.Delete(data);
        }
        if (records.Count == 0) { Directory.Delete(dir, recursive: true); return; }

        records.Sort((a, b) => a.Generation.CompareTo(b.Generation));
        var versions = bucket.VersionsOf(records[0].Name);
        var live = records.LastOrDefault(r => r.TimeDeleted is null);
        foreach (var r in records)
        {
            if (r == live) { versions.Live = r; continue; }
            if (r.TimeDeleted is not null) { versions.Noncurrent.Add(r); continue; }
            // A second live generation: the newer one replaced it but the crash came before it was retired.
            if (bucket.Bucket.Versioning)
            {
                var noncurrent = r with { TimeDeleted = live!.TimeCreated };
                AtomicFile.WriteAllBytes(layout.MetadataFile(noncurrent), StoreJson.Serialize(noncurrent));
                versions.Noncurrent.Add(noncurrent);
            }
            else
            {
                File.Delete(layout.MetadataFile(r));
                File.Delete(layout.DataFile(r));
            }
        }
        bucket.DropIfEmpty(records[0].Name);
    }
}
