using System.Security.Cryptography;
using System.Text;

namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>
/// Where things live under the data folder:
/// <c>buckets/{bucket}/bucket.json</c>; <c>buckets/{bucket}/objects/{sha256(name)}/{generation}.data|.json</c>;
/// <c>uploads/{id}.json|.part</c> for resumable sessions; <c>tmp/</c> for bytes not yet committed;
/// <c>events/pending</c> and <c>events/dead-letter</c> for notifications. Object names become a hash because
/// a name may hold any character and be 1024 bytes long; the name itself is in the <c>.json</c>.
/// </summary>
public sealed class StoreLayout
{
    public StoreLayout(string root)
    {
        Root = Path.GetFullPath(root);
        foreach (var dir in new[] { Buckets, Temp, Uploads, PendingEvents, DeadLetters }) Directory.CreateDirectory(dir);
    }

    public string Root { get; }
    public string Buckets => Path.Combine(Root, "buckets");
    public string Temp => Path.Combine(Root, "tmp");
    public string Uploads => Path.Combine(Root, "uploads");
    public string PendingEvents => Path.Combine(Root, "events", "pending");
    public string DeadLetters => Path.Combine(Root, "events", "dead-letter");

    public string BucketDir(string bucket) => Path.Combine(Buckets, bucket);
    public string BucketFile(string bucket) => Path.Combine(BucketDir(bucket), "bucket.json");
    public string ObjectsDir(string bucket) => Path.Combine(BucketDir(bucket), "objects");

    public string ObjectDir(string bucket, string name) =>
        Path.Combine(ObjectsDir(bucket), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name))));

    public string DataFile(ObjectRecord o) => Path.Combine(ObjectDir(o.Bucket, o.Name), $"{o.Generation}.data");
    public string MetadataFile(ObjectRecord o) => Path.Combine(ObjectDir(o.Bucket, o.Name), $"{o.Generation}.json");

    /// <summary>A fresh path in <c>tmp/</c> (same file system as the objects, so a rename commits it).</summary>
    public string NewTempFile() => Path.Combine(Temp, Guid.NewGuid().ToString("N"));
}
