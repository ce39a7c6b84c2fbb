using System.Text.Json;
using System.Text.Json.Nodes;
using CoffeeMesh.GcsEmulator.Storage;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary><c>/storage/v1/b</c>: buckets.insert (409 on a duplicate), get, list, patch (versioning, labels), delete.</summary>
public static class BucketEndpoints
{
    public static async Task HandleAsync(HttpContext context, RequestTarget target, string method, ObjectStore store, EmulatorOptions options)
    {
        var request = context.Request;
        var baseUrl = Resources.BaseUrl(request);
        var cancel = context.RequestAborted;
        switch (target.Operation, method)
        {
            case (Operation.Buckets, "POST"):
            {
                var body = await RequestBodies.ReadJsonAsync(request.Body, options.MaxJsonBytes, cancel) ?? throw GcsException.Required("bucket name");
                var name = ObjectFields.String(body, "name") ?? throw GcsException.Required("bucket name");
                var versioning = body.TryGetProperty("versioning", out var v) && v.ValueKind == JsonValueKind.Object
                    && v.TryGetProperty("enabled", out var e) && e.ValueKind == JsonValueKind.True;
                var bucket = store.CreateBucket(name, versioning, Labels(body)?.Where(l => l.Value is not null).ToDictionary(l => l.Key, l => l.Value!));
                await Responses.JsonAsync(context, Resources.Bucket(bucket, baseUrl));
                return;
            }
            case (Operation.Buckets, "GET"):
            {
                var prefix = Responses.Text(request, "prefix") ?? "";
                var items = new JsonArray(store.ListBuckets().Where(b => b.Name.StartsWith(prefix, StringComparison.Ordinal))
                    .Select(b => (JsonNode)Resources.Bucket(b, baseUrl)).ToArray());
                await Responses.JsonAsync(context, new JsonObject { ["kind"] = "storage#buckets", ["items"] = items });
                return;
            }
            case (Operation.Bucket, "GET"):
                await Responses.JsonAsync(context, Resources.Bucket(store.GetBucket(target.Bucket!), baseUrl));
                return;
            case (Operation.Bucket, "PATCH" or "PUT"):
            {
                var body = await RequestBodies.ReadJsonAsync(request.Body, options.MaxJsonBytes, cancel);
                bool? versioning = body is { } b && b.TryGetProperty("versioning", out var v) && v.ValueKind == JsonValueKind.Object
                    && v.TryGetProperty("enabled", out var e) ? e.ValueKind == JsonValueKind.True : null;
                var bucket = store.PatchBucket(target.Bucket!, versioning, body is { } j ? Labels(j) : null,
                    Preconditions.Long(request.Query, "ifMetagenerationMatch"));
                await Responses.JsonAsync(context, Resources.Bucket(bucket, baseUrl));
                return;
            }
            case (Operation.Bucket, "DELETE"):
                store.DeleteBucket(target.Bucket!);
                context.Response.StatusCode = 204;
                return;
            default:
                throw new GcsException(405, "methodNotAllowed", $"{method} is not supported on this resource by the emulator.");
        }
    }

    private static Dictionary<string, string?>? Labels(JsonElement body)
    {
        if (!body.TryGetProperty("labels", out var labels) || labels.ValueKind != JsonValueKind.Object) return null;
        return labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null);
    }
}
