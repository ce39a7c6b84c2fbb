using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace CoffeeMesh.Tests.Warehouse;

/// <summary>Object-finalized CloudEvents as Eventarc sends them to Cloud Run, in both HTTP modes (CloudEvents 1.0 HTTP binding).</summary>
public static class FinalizedEvents
{
    public sealed record Target(string Bucket, string Name, long Generation, IReadOnlyDictionary<string, string> Metadata);

    private static JsonObject Resource(Target t)
    {
        var metadata = new JsonObject();
        foreach (var (k, v) in t.Metadata) metadata[k] = v;
        return new JsonObject { ["bucket"] = t.Bucket, ["name"] = t.Name, ["generation"] = t.Generation.ToString(), ["metadata"] = metadata };
    }

    /// <summary>ce-* headers, the object resource as the body.</summary>
    public static HttpRequestMessage Binary(Target t) => new(HttpMethod.Post, "/")
    {
        Content = JsonContent.Create(Resource(t)),
        Headers =
        {
            { "ce-specversion", "1.0" }, { "ce-id", $"{t.Bucket}/{t.Name}/{t.Generation}" }, { "ce-type", "google.cloud.storage.object.v1.finalized" },
            { "ce-source", $"//storage.googleapis.com/projects/_/buckets/{t.Bucket}" }, { "ce-subject", $"objects/{t.Name}" },
        },
    };

    /// <summary>The whole event as application/cloudevents+json.</summary>
    public static HttpRequestMessage Structured(Target t)
    {
        var cloudEvent = new JsonObject
        {
            ["specversion"] = "1.0", ["id"] = $"{t.Bucket}/{t.Name}/{t.Generation}", ["type"] = "google.cloud.storage.object.v1.finalized",
            ["source"] = $"//storage.googleapis.com/projects/_/buckets/{t.Bucket}", ["subject"] = $"objects/{t.Name}",
            ["datacontenttype"] = "application/json", ["data"] = Resource(t),
        };
        return new HttpRequestMessage(HttpMethod.Post, "/")
        {
            Content = new StringContent(cloudEvent.ToJsonString(), System.Text.Encoding.UTF8, "application/cloudevents+json"),
        };
    }
}
