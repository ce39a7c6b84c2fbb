namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>
/// One generation of an object, as kept beside its bytes (<c>{generation}.json</c> next to
/// <c>{generation}.data</c>). <see cref="TimeDeleted"/> is set once the generation is noncurrent.
/// </summary>
public sealed record ObjectRecord
{
    public required string Bucket { get; init; }
    public required string Name { get; init; }
    /// <summary>Unique per stored generation, increasing (microseconds since the epoch, like GCS).</summary>
    public required long Generation { get; init; }
    /// <summary>1 when written; +1 at each metadata change of this generation.</summary>
    public required long Metageneration { get; init; }
    public required long Size { get; init; }
    public string? Md5Hash { get; init; }
    public required string Crc32c { get; init; }
    public required string ContentType { get; init; }
    public string? ContentEncoding { get; init; }
    public string? ContentDisposition { get; init; }
    public string? ContentLanguage { get; init; }
    public string? CacheControl { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }
    /// <summary>Set for composite objects (count of their components), which have no MD5.</summary>
    public int? ComponentCount { get; init; }
    public required DateTimeOffset TimeCreated { get; init; }
    public required DateTimeOffset Updated { get; init; }
    public DateTimeOffset? TimeDeleted { get; init; }
}

/// <summary>A bucket, as kept in <c>buckets/{name}/bucket.json</c>.</summary>
public sealed record BucketRecord
{
    public required string Name { get; init; }
    public required long Metageneration { get; init; }
    public required bool Versioning { get; init; }
    public string Location { get; init; } = "US";
    public string StorageClass { get; init; } = "STANDARD";
    public Dictionary<string, string>? Labels { get; init; }
    public required DateTimeOffset TimeCreated { get; init; }
    public required DateTimeOffset Updated { get; init; }
}

/// <summary>The writable metadata of an object, as given on an upload, a copy, a compose or a patch.</summary>
public sealed record ObjectMetadata
{
    public string? ContentType { get; init; }
    public string? ContentEncoding { get; init; }
    public string? ContentDisposition { get; init; }
    public string? ContentLanguage { get; init; }
    public string? CacheControl { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }
}
