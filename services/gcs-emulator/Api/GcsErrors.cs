using System.Text.Json;

namespace CoffeeMesh.GcsEmulator.Api;

/// <summary>Writes errors the way the GCS JSON API does: <c>{"error":{"code","message","errors":[{"message","domain","reason"}]}}</c>.</summary>
public static class GcsErrors
{
    /// <summary>Writes <paramref name="error"/> as the response (status, headers, JSON body).</summary>
    public static async Task WriteAsync(HttpContext context, GcsException error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        foreach (var (name, value) in error.Headers) response.Headers[name] = value;
        response.ContentType = "application/json; charset=UTF-8";
        var body = new
        {
            error = new
            {
                code = error.Status,
                message = error.Message,
                errors = new[] { new { message = error.Message, domain = "global", reason = error.Reason } },
            },
        };
        await response.WriteAsync(JsonSerializer.Serialize(body, Responses.Relaxed));
    }
}
