using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace CoffeeMesh.WarehouseLoader;

/// <summary>
/// An object-finalized CloudEvent (type <c>google.cloud.storage.object.v1.finalized</c>, as Eventarc delivers to
/// Cloud Run), read from an HTTP request in binary mode (<c>ce-*</c> headers, the object resource as the JSON body)
/// or structured mode (<c>application/cloudevents+json</c>). Spec: CloudEvents 1.0 HTTP protocol binding.
/// </summary>
public sealed record FinalizedObject(string EventId, string EventType, string Bucket, string Name, long Generation, long? Size,
    IReadOnlyDictionary<string, string>? Metadata)
{
    public const string Type = "google.cloud.storage.object.v1.finalized";
    private static readonly CloudEventAttribute BucketAttribute = CloudEventAttribute.CreateExtension("bucket", CloudEventAttributeType.String);
    private static readonly JsonEventFormatter Formatter = new();

    /// <summary>Reads the event from <paramref name="request"/> (body already bounded by the caller).</summary>
    /// <exception cref="FormatException">Not a CloudEvent, or its data is not an object resource; the message says which.</exception>
    public static async Task<FinalizedObject> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, ct);
        var bytes = body.ToArray();
        CloudEvent cloudEvent;
        try
        {
            var contentType = request.ContentType ?? "";
            if (contentType.StartsWith("application/cloudevents+json", StringComparison.OrdinalIgnoreCase))
                cloudEvent = Formatter.DecodeStructuredModeMessage(bytes, new System.Net.Mime.ContentType(contentType), [BucketAttribute]);
            else
            {
                var version = CloudEventsSpecVersion.FromVersionId(request.Headers["ce-specversion"].ToString())
                    ?? throw new FormatException("no ce-specversion header (binary mode) and not application/cloudevents+json (structured mode)");
                cloudEvent = new CloudEvent(version, [BucketAttribute]);
                foreach (var (header, value) in request.Headers)
                    if (header.StartsWith("ce-", StringComparison.OrdinalIgnoreCase) && !header.Equals("ce-specversion", StringComparison.OrdinalIgnoreCase))
                        cloudEvent.SetAttributeFromString(header[3..].ToLowerInvariant(), value.ToString());
                cloudEvent.DataContentType = request.ContentType;
                Formatter.DecodeBinaryModeEventData(bytes, cloudEvent);
            }
            cloudEvent.Validate();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or JsonException)
        {
            throw new FormatException("not a valid CloudEvent: " + e.Message, e);
        }

        var data = cloudEvent.Data switch
        {
            JsonElement element => element,
            byte[] raw => Parse(raw),
            string text => Parse(System.Text.Encoding.UTF8.GetBytes(text)),
            _ => throw new FormatException("the CloudEvent has no JSON data (the object resource)"),
        };
        if (data.ValueKind != JsonValueKind.Object) throw new FormatException("the CloudEvent's data is not a JSON object");
        var bucket = String(data, "bucket") ?? cloudEvent[BucketAttribute] as string ?? throw new FormatException("the object resource has no bucket");
        var name = String(data, "name") ?? throw new FormatException("the object resource has no name");
        if (!long.TryParse(String(data, "generation"), out var generation)) throw new FormatException("the object resource has no generation");
        long? size = long.TryParse(String(data, "size"), out var s) ? s : null;
        Dictionary<string, string>? metadata = null;
        if (data.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object)
        {
            metadata = new Dictionary<string, string>();
            foreach (var p in m.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.String) metadata[p.Name] = p.Value.GetString()!;
        }
        return new FinalizedObject(cloudEvent.Id!, cloudEvent.Type!, bucket, name, generation, size, metadata);
    }

    private static JsonElement Parse(byte[] raw)
    {
        try { return JsonDocument.Parse(raw).RootElement.Clone(); }
        catch (JsonException e) { throw new FormatException("the CloudEvent's data is not JSON: " + e.Message, e); }
    }

    // GCS's JSON API writes int64 fields as strings; accept numbers too.
    private static string? String(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;
}
