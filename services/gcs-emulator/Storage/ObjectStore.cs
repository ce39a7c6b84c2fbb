using CoffeeMesh.GcsEmulator.Api;

namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>Told of every new object generation once it is committed (the finalize notifications).</summary>
public interface IObjectFinalizedListener
{
    /// <summary>Called after <paramref name="finalized"/> is durable; must not throw for delivery problems.</summary>
    Task OnFinalizedAsync(ObjectRecord finalized, CancellationToken cancel);
}

/// <summary>A new generation to commit: its bytes are already in <see cref="TempFile"/> (moved, not copied).</summary>
public sealed record NewObject(
    string Bucket,
    string Name,
    string TempFile,
    ContentHashes Hashes,
    ObjectMetadata Metadata,
    Preconditions Preconditions,
    int? ComponentCount = null);

/// <summary>
/// Buckets and object generations on disk, with an in-memory index. Each change is decided and applied under
/// one lock, so two create-only writes of one name cannot both pass their precondition. An object's bytes are
/// renamed into place before its <c>.json</c> is written (both atomically): a crash leaves either the old
/// state or an orphan data file that the next start removes. Noncurrent generations are kept only in buckets
/// with versioning enabled, as GCS does.
/// </summary>
public sealed class ObjectStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, BucketState> _buckets = new(StringComparer.Ordinal);
    private readonly StoreLayout _layout;
    private readonly IObjectFinalizedListener _listener;
    private readonly TimeProvider _clock;
    private long _lastGeneration;

    public ObjectStore(StoreLayout layout, IObjectFinalizedListener listener, TimeProvider clock, ILogger<ObjectStore> log)
    {
        _layout = layout;
        _listener = listener;
        _clock = clock;
        foreach (var bucket in StoreLoader.Load(layout, log))
        {
            _buckets[bucket.Bucket.Name] = bucket;
            foreach (var o in bucket.Objects.Values.SelectMany(v => v.All))
                _lastGeneration = Math.Max(_lastGeneration, o.Generation);
        }
    }

    /// <summary>The folder layout (temp files for uploads).</summary>
    public StoreLayout Layout => _layout;

    // ---- buckets ----

    /// <summary>Creates a bucket. 400 for an invalid name, 409 when it exists.</summary>
    public BucketRecord CreateBucket(string name, bool versioning, Dictionary<string, string>? labels)
    {
        if (!Names.IsValidBucket(name)) throw GcsException.Invalid($"Invalid bucket name: '{name}'");
        lock (_gate)
        {
            if (_buckets.ContainsKey(name))
                throw new GcsException(409, "conflict", "Your previous request to create the named bucket succeeded and you already own it.");
            var now = _clock.GetUtcNow();
            var bucket = new BucketRecord { Name = name, Metageneration = 1, Versioning = versioning, Labels = labels, TimeCreated = now, Updated = now };
            Directory.CreateDirectory(_layout.ObjectsDir(name));
            AtomicFile.WriteAllBytes(_layout.BucketFile(name), StoreJson.Serialize(bucket));
            _buckets[name] = new BucketState(bucket);
            return bucket;
        }
    }

    /// <summary>The bucket; 404 when absent.</summary>
    public BucketRecord GetBucket(string name)
    {
        lock (_gate) return State(name).Bucket;
    }

    /// <summary>Every bucket, by name.</summary>
    public IReadOnlyList<BucketRecord> ListBuckets()
    {
        lock (_gate) return _buckets.Values.Select(b => b.Bucket).OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Changes a bucket's versioning and/or labels (null label value removes it); metageneration +1.</summary>
    public BucketRecord PatchBucket(string name, bool? versioning, Dictionary<string, string?>? labels, long? ifMetagenerationMatch)
    {
        lock (_gate)
        {
            var state = State(name);
            if (ifMetagenerationMatch is { } m && state.Bucket.Metageneration != m) throw GcsException.ConditionNotMet();
            var merged = state.Bucket.Labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(state.Bucket.Labels);
            if (labels is not null)
                foreach (var (k, v) in labels)
                    if (v is null) merged.Remove(k); else merged[k] = v;
            var bucket = state.Bucket with
            {
                Versioning = versioning ?? state.Bucket.Versioning,
                Labels = merged.Count == 0 ? null : merged,
                Metageneration = state.Bucket.Metageneration + 1,
                Updated = _clock.GetUtcNow(),
            };
            AtomicFile.WriteAllBytes(_layout.BucketFile(name), StoreJson.Serialize(bucket));
            state.Bucket = bucket;
            return bucket;
        }
    }

    /// <summary>Deletes an empty bucket; 409 while it holds any generation, live or noncurrent.</summary>
    public void DeleteBucket(string name)
    {
        lock (_gate)
        {
            var state = State(name);
            if (state.Names.Count > 0) throw new GcsException(409, "conflict", "The bucket you tried to delete is not empty.");
            File.Delete(_layout.BucketFile(name));
            Directory.Delete(_layout.BucketDir(name), recursive: true);
            _buckets.Remove(name);
        }
    }

    // ---- objects ----

    /// <summary>
    /// One generation's metadata (the live one unless <paramref name="generation"/> is given). 404 when absent;
    /// 412 (or 304 for a failed "not match") when a precondition fails.
    /// </summary>
    public ObjectRecord GetObject(string bucket, string name, long? generation, Preconditions preconditions)
    {
        lock (_gate)
        {
            var o = Find(bucket, name, generation);
            preconditions.Check(o, notModifiedOnNotMatch: true);
            return o;
        }
    }

    /// <summary>Like <see cref="GetObject"/>, and opens the bytes (the caller disposes the stream).</summary>
    public (ObjectRecord Object, FileStream Data) OpenObject(string bucket, string name, long? generation, Preconditions preconditions)
    {
        lock (_gate)
        {
            var o = Find(bucket, name, generation);
            preconditions.Check(o, notModifiedOnNotMatch: true);
            // Opened under the lock: an overwrite may unlink the file afterwards, the open handle still reads it.
            var data = new FileStream(_layout.DataFile(o), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, true);
            return (o, data);
        }
    }

    /// <summary>
    /// Commits a new generation of an object from a temporary file, which is consumed (moved in, or deleted on
    /// failure). 404 for a missing bucket, 412 when a precondition fails. The finalize listener hears of it.
    /// </summary>
    public async Task<ObjectRecord> CommitAsync(NewObject n, CancellationToken cancel)
    {
        ObjectRecord created;
        try
        {
            Names.CheckObject(n.Name);
            lock (_gate)
            {
                var state = State(n.Bucket);
                var versions = state.Objects.GetValueOrDefault(n.Name);
                n.Preconditions.Check(versions?.Live);
                var now = _clock.GetUtcNow();
                created = new ObjectRecord
                {
                    Bucket = n.Bucket,
                    Name = n.Name,
                    Generation = NextGeneration(now),
                    Metageneration = 1,
                    Size = n.Hashes.Size,
                    Md5Hash = n.Hashes.Md5,
                    Crc32c = n.Hashes.Crc32c,
                    ContentType = n.Metadata.ContentType ?? "application/octet-stream",
                    ContentEncoding = n.Metadata.ContentEncoding,
                    ContentDisposition = n.Metadata.ContentDisposition,
                    ContentLanguage = n.Metadata.ContentLanguage,
                    CacheControl = n.Metadata.CacheControl,
                    Metadata = n.Metadata.Metadata is { Count: > 0 } m ? m : null,
                    ComponentCount = n.ComponentCount,
                    TimeCreated = now,
                    Updated = now,
                };
                Directory.CreateDirectory(_layout.ObjectDir(n.Bucket, n.Name));
                File.Move(n.TempFile, _layout.DataFile(created));
                AtomicFile.WriteAllBytes(_layout.MetadataFile(created), StoreJson.Serialize(created));
                versions = state.VersionsOf(n.Name);
                if (versions.Live is { } previous) Retire(state, versions, previous, now);
                versions.Live = created;
            }
        }
        finally
        {
            if (File.Exists(n.TempFile)) File.Delete(n.TempFile);
        }
        await _listener.OnFinalizedAsync(created, cancel);
        return created;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to one generation's metadata (metageneration +1, updated = now).
    /// 404 when absent, 412 when a precondition fails.
    /// </summary>
    public ObjectRecord Patch(string bucket, string name, long? generation, Preconditions preconditions, Func<ObjectRecord, ObjectRecord> change)
    {
        lock (_gate)
        {
            var state = State(bucket);
            var current = Find(bucket, name, generation);
            preconditions.Check(current);
            var updated = change(current) with
            {
                Metageneration = current.Metageneration + 1,
                Updated = _clock.GetUtcNow(),
            };
            AtomicFile.WriteAllBytes(_layout.MetadataFile(updated), StoreJson.Serialize(updated));
            var versions = state.Objects[name];
            if (versions.Live?.Generation == updated.Generation) versions.Live = updated;
            else versions.Noncurrent[versions.Noncurrent.FindIndex(o => o.Generation == updated.Generation)] = updated;
            return updated;
        }
    }

    /// <summary>
    /// Deletes the live generation (kept as noncurrent in a versioned bucket) or, with
    /// <paramref name="generation"/>, that generation for good. 404 when absent, 412 when a precondition fails.
    /// </summary>
    public void Delete(string bucket, string name, long? generation, Preconditions preconditions)
    {
        lock (_gate)
        {
            var state = State(bucket);
            var target = Find(bucket, name, generation);
            preconditions.Check(target);
            var versions = state.Objects[name];
            if (generation is null)
            {
                versions.Live = null;
                Retire(state, versions, target, _clock.GetUtcNow());
            }
            else
            {
                if (versions.Live?.Generation == target.Generation) versions.Live = null;
                else versions.Noncurrent.RemoveAll(o => o.Generation == target.Generation);
                RemoveFiles(target);
            }
            state.DropIfEmpty(name);
        }
    }

    /// <summary>One page of a listing (see <see cref="ObjectListing"/>). 404 for a missing bucket.</summary>
    public ListPage List(string bucket, ListQuery query)
    {
        lock (_gate) return ObjectListing.Page(State(bucket), query);
    }

    private BucketState State(string bucket) =>
        _buckets.TryGetValue(bucket, out var state) ? state : throw GcsException.NoSuchBucket(bucket);

    private ObjectRecord Find(string bucket, string name, long? generation)
    {
        var state = State(bucket);
        var versions = state.Objects.GetValueOrDefault(name);
        var found = generation is { } g ? versions?.Find(g) : versions?.Live;
        return found ?? throw GcsException.NoSuchObject(bucket, name);
    }

    // A replaced or deleted live generation: noncurrent in a versioned bucket, gone otherwise.
    private void Retire(BucketState state, ObjectVersions versions, ObjectRecord previous, DateTimeOffset now)
    {
        if (state.Bucket.Versioning)
        {
            var noncurrent = previous with { TimeDeleted = now };
            AtomicFile.WriteAllBytes(_layout.MetadataFile(noncurrent), StoreJson.Serialize(noncurrent));
            versions.Noncurrent.Add(noncurrent);
        }
        else
        {
            RemoveFiles(previous);
        }
    }

    private void RemoveFiles(ObjectRecord o)
    {
        // Metadata first: a data file without metadata is an orphan the next start removes.
        File.Delete(_layout.MetadataFile(o));
        File.Delete(_layout.DataFile(o));
    }

    // GCS generations are microsecond timestamps; strictly increasing here even within one microsecond.
    private long NextGeneration(DateTimeOffset now)
    {
        var micros = (now - DateTimeOffset.UnixEpoch).Ticks / 10;
        _lastGeneration = Math.Max(micros, _lastGeneration + 1);
        return _lastGeneration;
    }
}
