using System.Text.Json;
using System.Text.Json.Nodes;

namespace CoffeeMesh.Cli.Api;

/// <summary>Reads the human part of an error answer.</summary>
public static class Problem
{
    /// <summary>The <c>detail</c> of a problem+json body; the body itself when it is not one.</summary>
    public static string Detail(string body)
    {
        try { return JsonNode.Parse(body)?["detail"]?.GetValue<string>() ?? body; }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { return body; }
    }
}
