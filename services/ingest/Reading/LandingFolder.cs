using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest.Reading;

/// <summary>
/// The only place ingest reads from. API requests name files relative to it; uploads go to
/// <c>uploads/</c>; the scheduled scan watches <c>incoming/</c>. Paths that resolve outside it
/// (.., absolute paths, symlinks pointing out) are refused.
/// </summary>
public sealed class LandingFolder
{
    public LandingFolder(IOptions<IngestOptions> options)
    {
        Root = Path.GetFullPath(options.Value.LandingFolder);
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Uploads);
        Directory.CreateDirectory(Incoming);
    }

    public string Root { get; }
    public string Uploads => Path.Combine(Root, "uploads");
    public string Incoming => Path.Combine(Root, "incoming");

    /// <summary>The full path of a file named relative to the landing folder, or null when it is outside.</summary>
    public string? Resolve(string relative)
    {
        if (string.IsNullOrWhiteSpace(relative) || relative.Length > 1024 || relative.Contains('\0') || Path.IsPathRooted(relative))
            return null;
        var full = Path.GetFullPath(Path.Combine(Root, relative));
        if (!IsInside(full)) return null;
        // A symlink inside the folder may still point out of it.
        var info = new FileInfo(full);
        var target = info.Exists && info.LinkTarget is not null ? info.ResolveLinkTarget(returnFinalTarget: true) : null;
        if (target is not null && !IsInside(Path.GetFullPath(target.FullName))) return null;
        return full;
    }

    public string Relative(string full) => Path.GetRelativePath(Root, full);

    private bool IsInside(string full) => full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>SHA-256 (lowercase hex) of the first <paramref name="prefix"/> bytes and of the first <paramref name="end"/> bytes, in one pass.</summary>
    public static async Task<(string Prefix, string End)> HashPrefixesAsync(string path, long prefix, long end, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, true);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long position = 0;
        string? prefixHash = prefix == 0 ? Convert.ToHexStringLower(sha.GetCurrentHash()) : null;
        while (position < end)
        {
            var want = (int)Math.Min(buffer.Length, (prefixHash is null ? prefix : end) - position);
            var n = await file.ReadAsync(buffer.AsMemory(0, want), ct);
            if (n == 0) throw new IOException($"{path} is shorter than {end} bytes");
            sha.AppendData(buffer, 0, n);
            position += n;
            if (prefixHash is null && position == prefix) prefixHash = Convert.ToHexStringLower(sha.GetCurrentHash());
        }
        return (prefixHash ?? Convert.ToHexStringLower(sha.GetCurrentHash()), Convert.ToHexStringLower(sha.GetCurrentHash()));
    }

    /// <summary>
    /// How much of a file in <c>incoming/</c> is ready: up to the end of its last complete line (a
    /// writer may be appending, and a line without its line break is left for a later scan), or the
    /// whole file once it has not changed for <paramref name="settle"/> (a finished file whose last
    /// line has no line break). A line ends in a CR only in a file whose first line does.
    /// </summary>
    /// <returns>The end offset (bytes) and whether it is the whole file.</returns>
    public static (long End, bool Whole) ReadyEnd(string path, TimeSpan settle, DateTime now)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = file.Length;
        if (length > 0 && now - File.GetLastWriteTimeUtc(path) >= settle) return (length, true);
        var buffer = new byte[1 << 16];
        // In a file whose first line ends in a CR alone, a CR is a whole line break, also the last one.
        var read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        var first = buffer.AsSpan(0, read).IndexOfAny((byte)'\n', (byte)'\r');
        var crOnly = first >= 0 && buffer[first] == '\r' && first + 1 < read && buffer[first + 1] != '\n';
        var end = length;
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            file.Seek(start, SeekOrigin.Begin);
            var n = file.ReadAtLeast(buffer.AsSpan(0, (int)(end - start)), (int)(end - start), throwOnEndOfStream: false);
            var chunk = buffer.AsSpan(0, n);
            // In a file of LF or CR LF lines only a LF ends a line: a CR may be half of a CR LF still
            // being written, or a lone CR inside a field whose record goes on.
            var at = crOnly ? chunk.LastIndexOf((byte)'\r') : chunk.LastIndexOf((byte)'\n');
            if (at >= 0) return (start + at + 1, start + at + 1 == length);
            end = start;
        }
        return (0, length == 0);
    }
}