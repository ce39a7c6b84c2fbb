namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>A bucket's metadata and its objects in memory, in listing order. Guarded by the store's lock.</summary>
public sealed class BucketState(BucketRecord bucket)
{
    public BucketRecord Bucket { get; set; } = bucket;
    public SortedSet<string> Names { get; } = new(ObjectNameComparer.Instance);
    public Dictionary<string, ObjectVersions> Objects { get; } = new(StringComparer.Ordinal);

    /// <summary>The versions of <paramref name="name"/>, created empty when absent.</summary>
    public ObjectVersions VersionsOf(string name)
    {
        if (!Objects.TryGetValue(name, out var versions))
        {
            versions = new ObjectVersions();
            Objects[name] = versions;
            Names.Add(name);
        }
        return versions;
    }

    /// <summary>Forgets <paramref name="name"/> once it has no generation left.</summary>
    public void DropIfEmpty(string name)
    {
        if (Objects.TryGetValue(name, out var v) && v.Live is null && v.Noncurrent.Count == 0)
        {
            Objects.Remove(name);
            Names.Remove(name);
        }
    }
}

/// <summary>The live generation of one name (if any) and its noncurrent ones, oldest first.</summary>
public sealed class ObjectVersions
{
    public ObjectRecord? Live { get; set; }
    public List<ObjectRecord> Noncurrent { get; } = new();

    /// <summary>Every generation, oldest first (the live one is the newest).</summary>
    public IEnumerable<ObjectRecord> All => Live is null ? Noncurrent : Noncurrent.Append(Live);

    /// <summary>The given generation, live or not; null when absent.</summary>
    public ObjectRecord? Find(long generation) =>
        Live?.Generation == generation ? Live : Noncurrent.Find(o => o.Generation == generation);
}
