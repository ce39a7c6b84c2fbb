using System.Text.Json.Serialization;

namespace CoffeeMesh.Ingest.Api;

/// <summary>Body of POST /ingestions: a file under the landing folder and an optional inclusive date range.</summary>
public sealed record IngestionRequest(
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("from")] DateOnly? From,
    [property: JsonPropertyName("to")] DateOnly? To);

public sealed record IngestionAccepted(
    [property: JsonPropertyName("ingestion_id")] Guid IngestionId,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("status_url")] string StatusUrl);
