namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>Writes a file so that a reader (or a restart) sees the old content or the new, never a part.</summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/> and renames it over.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = $"{path}.tmp-{Guid.NewGuid():N}";
        using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            file.Write(bytes);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>True for the temporary files <see cref="WriteAllBytes"/> leaves behind if the process dies mid-write.</summary>
    public static bool IsLeftover(string path) => Path.GetFileName(path).Contains(".tmp-", StringComparison.Ordinal);
}
