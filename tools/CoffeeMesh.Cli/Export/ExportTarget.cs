using Google.Cloud.Storage.V1;

namespace CoffeeMesh.Cli.Export;

/// <summary>
/// Where an export goes, replacing what was there: a file (written beside it, then renamed over it,
/// so a reader never sees half a file and a failed export leaves the old one) or a GCS object
/// gs://BUCKET/PATH (uploaded from a temporary file; the object is overwritten).
/// </summary>
public abstract record ExportTarget
{
    /// <summary>Parses --out: gs://BUCKET/PATH or a file path. Null with an error message when it is neither.</summary>
    public static ExportTarget? Parse(string text, out string? error)
    {
        error = null;
        if (!text.StartsWith("gs://", StringComparison.OrdinalIgnoreCase)) return new FileTarget(Path.GetFullPath(text));
        var rest = text["gs://".Length..];
        var slash = rest.IndexOf('/');
        if (slash > 0 && slash < rest.Length - 1) return new ObjectTarget(rest[..slash], rest[(slash + 1)..]);
        error = "--out gs://BUCKET/PATH needs a bucket and an object path";
        return null;
    }

    /// <summary>Runs <paramref name="write"/> into a temporary file, then puts the file in place.</summary>
    public abstract Task<ExportTotals> WriteAsync(Func<Stream, CancellationToken, Task<ExportTotals>> write, string? gcsUrl, CancellationToken ct);

    protected static async Task<ExportTotals> ToTempAsync(string temp, Func<Stream, CancellationToken, Task<ExportTotals>> write, CancellationToken ct)
    {
        await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        var totals = await write(file, ct);
        file.Flush(flushToDisk: true);
        return totals;
    }
}

public sealed record FileTarget(string Path) : ExportTarget
{
    public override async Task<ExportTotals> WriteAsync(Func<Stream, CancellationToken, Task<ExportTotals>> write, string? gcsUrl, CancellationToken ct)
    {
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(folder);
        var temp = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var totals = await ToTempAsync(temp, write, ct);
            File.Move(temp, Path, overwrite: true);
            return totals;
        }
        finally
        {
            File.Delete(temp); // nothing left when the move happened
        }
    }

    public override string ToString() => Path;
}

public sealed record ObjectTarget(string Bucket, string Name) : ExportTarget
{
    public override async Task<ExportTotals> WriteAsync(Func<Stream, CancellationToken, Task<ExportTotals>> write, string? gcsUrl, CancellationToken ct)
    {
        var temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"coffeemesh-export-{Guid.NewGuid():N}.csv");
        try
        {
            var totals = await ToTempAsync(temp, write, ct);
            // An emulator without credentials; else Application Default Credentials.
            using var client = gcsUrl is { Length: > 0 }
                ? new StorageClientBuilder { BaseUri = gcsUrl, UnauthenticatedAccess = true }.Build()
                : await StorageClient.CreateAsync();
            await using var file = File.OpenRead(temp);
            await client.UploadObjectAsync(Bucket, Name, "text/csv; charset=utf-8", file, cancellationToken: ct);
            return totals;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public override string ToString() => $"gs://{Bucket}/{Name}";
}
