using System.Collections.Concurrent;
using System.Text.Json;
using CoffeeMesh.GcsEmulator.Api;

namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>A resumable upload session, kept in <c>uploads/{id}.json</c>; its bytes so far are <c>uploads/{id}.part</c>.</summary>
public sealed record UploadSession
{
    public required string Id { get; init; }
    public required string Bucket { get; init; }
    public required string Name { get; init; }
    public required ObjectMetadata Metadata { get; init; }
    public required Preconditions Preconditions { get; init; }
    public required DeclaredHashes Declared { get; init; }
    /// <summary>The object's size once the client said it (X-Upload-Content-Length or a Content-Range total).</summary>
    public long? Total { get; init; }
    public required DateTimeOffset Created { get; init; }
    /// <summary>Set once the upload finalized: later requests on the session answer with this object.</summary>
    public ObjectRecord? Completed { get; init; }
}

/// <summary>
/// Resumable sessions on disk, so an upload survives an emulator restart like it survives a GCS hiccup. The
/// number of bytes persisted is the length of the part file. Requests on one session run one at a time.
/// </summary>
public sealed class UploadSessions(StoreLayout layout)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    /// <summary>Persists a new session with an empty part file.</summary>
    public UploadSession Create(UploadSession session)
    {
        File.Create(PartFile(session.Id)).Dispose();
        Save(session);
        return session;
    }

    /// <summary>The session; 404 when unknown or cancelled.</summary>
    public UploadSession Get(string id)
    {
        var file = SessionFile(id);
        if (!IsValidId(id) || !File.Exists(file)) throw new GcsException(404, "notFound", "No such upload session (unknown, or cancelled).");
        return JsonSerializer.Deserialize<UploadSession>(File.ReadAllBytes(file), StoreJson.Options)!;
    }

    /// <summary>Writes the session's state.</summary>
    public void Save(UploadSession session) => AtomicFile.WriteAllBytes(SessionFile(session.Id), StoreJson.Serialize(session));

    /// <summary>Forgets a session and its bytes (cancel).</summary>
    public void Delete(string id)
    {
        File.Delete(SessionFile(id));
        File.Delete(PartFile(id));
    }

    /// <summary>Where the session's bytes are appended.</summary>
    public string PartFile(string id) => Path.Combine(layout.Uploads, $"{id}.part");

    /// <summary>Bytes persisted so far.</summary>
    public long Persisted(string id) => File.Exists(PartFile(id)) ? new FileInfo(PartFile(id)).Length : 0;

    /// <summary>Serialises requests on one session; dispose the result to let the next one in.</summary>
    public async Task<IDisposable> LockAsync(string id, CancellationToken cancel)
    {
        var gate = _locks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancel);
        return new Release(gate);
    }

    private string SessionFile(string id) => Path.Combine(layout.Uploads, $"{id}.json");

    private static bool IsValidId(string id) => id.Length is > 0 and <= 64 && id.All(char.IsAsciiLetterOrDigit);

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate.Release();
    }
}
