using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CoffeeMesh.GcsEmulator.Storage;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary><c>/storage/v1/b/{bucket}/o[/{object}]</c>: objects.list, get (metadata, or media with alt=media), patch, update, delete.</summary>
public static class ObjectEndpoints
{
    public static async Task HandleAsync(HttpContext context, RequestTarget target, string method, ObjectStore store, EmulatorOptions options)
    {
        var request = context.Request;
        var baseUrl = Resources.BaseUrl(request);
        var generation = Preconditions.Long(request.Query, "generation");
        var preconditions = Preconditions.FromQuery(request.Query);
        switch (target.Operation, method)
        {
            case (Operation.Objects, "GET"):
                await ListAsync(context, target.Bucket!, store, baseUrl);
                return;
            case (Operation.Object, "GET"):
                if (request.Query["alt"] == "media")
                {
                    await MediaDownload.SendAsync(context, store, target.Bucket!, target.Name!, generation, preconditions);
                    return;
                }
                await Responses.JsonAsync(context, Resources.Object(store.GetObject(target.Bucket!, target.Name!, generation, preconditions), baseUrl));
                return;
            case (Operation.Object, "PATCH" or "PUT"):
            {
                var body = await RequestBodies.ReadJsonAsync(request.Body, options.MaxJsonBytes, context.RequestAborted) ?? JsonDocument.Parse("{}").RootElement;
                var updated = store.Patch(target.Bucket!, target.Name!, generation, preconditions,
                    current => ObjectFields.Apply(current, body, replace: method == "PUT"));
                await Responses.JsonAsync(context, Resources.Object(updated, baseUrl));
                return;
            }
            case (Operation.Object, "DELETE"):
                store.Delete(target.Bucket!, target.Name!, generation, preconditions);
                context.Response.StatusCode = 204;
                return;
            default:
                throw new GcsException(405, "methodNotAllowed", $"{method} is not supported on this resource by the emulator.");
        }
    }

    private static async Task ListAsync(HttpContext context, string bucket, ObjectStore store, string baseUrl)
    {
        var request = context.Request;
        if (Responses.Text(request, "matchGlob") is not null || Responses.Bool(request, "includeTrailingDelimiter"))
            throw GcsException.Invalid("matchGlob and includeTrailingDelimiter are not supported by this emulator.");
        var max = Preconditions.Long(request.Query, "maxResults") ?? 1000;
        if (max <= 0) throw GcsException.Invalid("Invalid value for maxResults: must be positive.");
        var page = store.List(bucket, new ListQuery(
            Responses.Text(request, "prefix"),
            Responses.Text(request, "delimiter"),
            Responses.Text(request, "startOffset"),
            Responses.Text(request, "endOffset"),
            Responses.Bool(request, "versions"),
            (int)Math.Min(max, 1000),
            PageToken.Decode(Responses.Text(request, "pageToken"))));
        var json = new JsonObject { ["kind"] = "storage#objects" };
        if (page.Next is { } next) json["nextPageToken"] = PageToken.Encode(next);
        if (page.Prefixes.Count > 0) json["prefixes"] = new JsonArray(page.Prefixes.Select(p => (JsonNode)JsonValue.Create(p)!).ToArray());
        if (page.Items.Count > 0) json["items"] = new JsonArray(page.Items.Select(o => (JsonNode)Resources.Object(o, baseUrl)).ToArray());
        await Responses.JsonAsync(context, json);
    }
}

/// <summary>The opaque <c>pageToken</c>: where the previous page ended, base64url JSON.</summary>
public static class PageToken
{
    public static string Encode(ListPosition position) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(position, StoreJson.Options)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The position, or null for no token. 400 for a token this emulator did not issue.</summary>
    public static ListPosition? Decode(string? token)
    {
        if (token is null) return null;
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 += new string('=', (4 - base64.Length % 4) % 4);
            return JsonSerializer.Deserialize<ListPosition>(Encoding.UTF8.GetString(Convert.FromBase64String(base64)), StoreJson.Options)
                ?? throw new FormatException();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw GcsException.Invalid("Invalid pageToken.");
        }
    }
}
