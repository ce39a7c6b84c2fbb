using CoffeeMesh.Contracts;

namespace CoffeeMesh.Cli.Rendering;

/// <summary>How long an ingestion took, or has taken so far.</summary>
public static class IngestionDuration
{
    /// <summary>
    /// Created to completed; created to now while it runs; created to its last update once failed;
    /// null when a completed ingestion does not say when it completed.
    /// </summary>
    public static TimeSpan? Of(IngestionStatus s, DateTime utcNow) => s.State switch
    {
        "completed" => s.CompletedAt is { } done ? done - s.CreatedAt : null,
        "failed" => s.UpdatedAt - s.CreatedAt,
        _ => utcNow - s.CreatedAt,
    };
}
