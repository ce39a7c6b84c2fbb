using System.Text;
using System.Text.RegularExpressions;
using CoffeeMesh.GcsEmulator.Api;

namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>GCS's naming rules for buckets and objects.</summary>
public static partial class Names
{
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketPattern();

    /// <summary>True for a valid bucket name (3-63 of a-z 0-9 . _ -, starting and ending with a letter or digit).</summary>
    public static bool IsValidBucket(string name) => BucketPattern().IsMatch(name) && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>Throws 400 unless <paramref name="name"/> is a valid object name (1-1024 UTF-8 bytes, no CR/LF, not . or ..).</summary>
    public static void CheckObject(string name)
    {
        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes is 0 or > 1024 || name is "." or ".." || name.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw GcsException.Invalid("The specified object name is not valid.");
    }
}
