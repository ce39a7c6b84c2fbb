namespace CoffeeMesh.CloudPublisher;

/// <summary>cloud-publisher's settings (configuration section <c>CloudPublisher</c>).</summary>
public sealed class CloudPublisherOptions
{
    /// <summary>
    /// The JSON API's base URL of a GCS emulator, e.g. http://127.0.0.1:4443/storage/v1/, used
    /// without credentials. Unset: real Google Cloud Storage with Application Default Credentials.
    /// </summary>
    public string? GcsUrl { get; set; }

    /// <summary>The bucket the processed objects go to; created when missing.</summary>
    public string Bucket { get; set; } = "coffee-sales-data";

    /// <summary>The project a missing bucket is created in (real GCS needs one; the emulator takes any).</summary>
    public string? ProjectId { get; set; }

    /// <summary>The first segment of every object name: {ObjectPrefix}/date=yyyy-MM-dd/{ingestion}-{sequence}.csv.</summary>
    public string ObjectPrefix { get; set; } = "processed";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (GcsUrl is not null && (!Uri.TryCreate(GcsUrl, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https")))
            throw new ArgumentException($"CloudPublisher:GcsUrl must be an absolute http(s) URL like http://127.0.0.1:4443/storage/v1/, not '{GcsUrl}'");
        // GCS's rules, in short: 3-63 characters of lower-case letters, digits, '-', '_' and '.', starting and ending with a letter or digit.
        if (Bucket.Length is < 3 or > 63 || !Bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.')
            || !char.IsAsciiLetterOrDigit(Bucket[0]) || !char.IsAsciiLetterOrDigit(Bucket[^1]))
            throw new ArgumentException($"CloudPublisher:Bucket '{Bucket}' is not a valid bucket name");
        if (string.IsNullOrWhiteSpace(ObjectPrefix) || ObjectPrefix.StartsWith('/') || ObjectPrefix.EndsWith('/'))
            throw new ArgumentException("CloudPublisher:ObjectPrefix must be a non-empty name without a leading or trailing '/'");
    }
}
