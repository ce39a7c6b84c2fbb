using Microsoft.AspNetCore.Http.Features;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary>What a request names: bucket, object, and the operation the path spells.</summary>
public enum Operation { Buckets, Bucket, Objects, Object, CopyTo, RewriteTo, Compose }

/// <summary>
/// Parses the request path as sent, before ASP.NET Core decodes it: object names are percent-encoded path
/// segments and may hold an encoded '/', which a decoded path would split. A name sent with a raw '/'
/// (some clients do) is joined back from its segments.
/// </summary>
public sealed record RequestTarget(Operation Operation, string? Bucket, string? Name, string? DestinationBucket = null, string? DestinationName = null)
{
    /// <summary>Parses the part after <paramref name="prefix"/> (e.g. <c>/storage/v1</c>); null when nothing matches.</summary>
    public static RequestTarget? Parse(HttpContext context, string prefix, string method)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var query = raw.IndexOf('?');
        var path = query >= 0 ? raw[..query] : raw;
        if (path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || path.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            path = new Uri(path).AbsolutePath; // absolute-form request target (through a proxy)
        if (!path.StartsWith(prefix + "/", StringComparison.Ordinal)) return null;
        var s = path[(prefix.Length + 1)..].Split('/').Select(Uri.UnescapeDataString).ToArray();
        if (s.Length == 0 || s[0] != "b") return null;
        if (s.Length == 1 || (s.Length == 2 && s[1] == "")) return new(Operation.Buckets, null, null);
        var bucket = s[1];
        if (s.Length == 2) return new(Operation.Bucket, bucket, null);
        if (s[2] != "o") return null;
        if (s.Length == 3 || (s.Length == 4 && s[3] == "")) return new(Operation.Objects, bucket, null);
        var rest = s[3..];
        if (method == "POST")
        {
            for (var i = 1; i + 4 < rest.Length; i++)
            {
                if (rest[i] is "copyTo" or "rewriteTo" && rest[i + 1] == "b" && rest[i + 3] == "o")
                {
                    var op = rest[i] == "copyTo" ? Operation.CopyTo : Operation.RewriteTo;
                    return new(op, bucket, string.Join('/', rest[..i]), rest[i + 2], string.Join('/', rest[(i + 4)..]));
                }
            }
            if (rest.Length >= 2 && rest[^1] == "compose") return new(Operation.Compose, bucket, string.Join('/', rest[..^1]));
        }
        return new(Operation.Object, bucket, string.Join('/', rest));
    }
}
