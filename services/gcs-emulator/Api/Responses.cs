using System.Text.Json.Nodes;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary>Writing JSON answers and turning <see cref="GcsException"/> into GCS error bodies.</summary>
public static class Responses
{
    /// <summary>Writes <paramref name="json"/> with <paramref name="status"/>.</summary>
    public static async Task JsonAsync(HttpContext context, JsonNode json, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(json.ToJsonString(Relaxed));
    }

    /// <summary>Runs <paramref name="handler"/>; a refused request becomes GCS's JSON error body.</summary>
    public static async Task GuardAsync(HttpContext context, Func<Task> handler)
    {
        try
        {
            await handler();
        }
        catch (GcsException e) when (!context.Response.HasStarted)
        {
            await GcsErrors.WriteAsync(context, e);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await GcsErrors.WriteAsync(context, new GcsException(e.StatusCode, "invalid", e.Message));
        }
    }

    /// <summary>The effective method: POST with <c>X-HTTP-Method-Override</c> counts as the named method.</summary>
    public static string Method(HttpRequest request)
    {
        var overridden = request.Headers["X-HTTP-Method-Override"].ToString();
        return request.Method == "POST" && overridden.Length > 0 ? overridden.ToUpperInvariant() : request.Method;
    }

    /// <summary>A boolean query parameter (<c>true</c>/<c>false</c>); 400 for anything else.</summary>
    public static bool Bool(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0) return false;
        return bool.TryParse(text, out var value) ? value : throw GcsException.Invalid($"Invalid boolean value for {name}: '{text}'");
    }

    /// <summary>An optional string query parameter (empty counts as absent).</summary>
    public static string? Text(HttpRequest request, string name) => request.Query[name].ToString() is { Length: > 0 } s ? s : null;

    /// <summary>GCS writes '+', '&amp;' and non-ASCII as they are; so do we (JSON-valid either way).</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
