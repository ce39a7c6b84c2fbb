using System.Globalization;
using MassTransit;

namespace CoffeeMesh.Messaging.Telemetry;

/// <summary>
/// Headers that follow an ingestion's messages from stage to stage without being part of any
/// contract. While a message is consumed, its <c>CoffeeMesh-*</c> headers are current (the bus's
/// consume filter sets them), and every message published, sent or written to the outbox meanwhile
/// carries them on (the bus's publish and send filters, and the outbox, which stores them with the
/// message). <see cref="Begin"/> adds one for the work that follows.
/// </summary>
public static class CarriedHeaders
{
    public const string Prefix = "CoffeeMesh-";

    /// <summary>
    /// When the ingestion was created (UTC, ISO 8601 round trip): ingest sets it on its batches,
    /// olap-sync reads it (<see cref="IngestionCreatedAt"/>) to time a file from landing to the star schema.
    /// </summary>
    public const string IngestionCreated = "CoffeeMesh-Ingestion-Created";

    private static readonly AsyncLocal<IReadOnlyDictionary<string, string>?> Headers = new();

    /// <summary>The headers current in this flow (null when none).</summary>
    public static IReadOnlyDictionary<string, string>? Current => Headers.Value;

    /// <summary>The ingestion's creation time from <see cref="IngestionCreated"/>, when current.</summary>
    public static DateTime? IngestionCreatedAt =>
        Current is { } h && h.TryGetValue(IngestionCreated, out var text)
        && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : null;

    /// <summary>Makes <paramref name="name"/> current (beside the others) until the returned scope is disposed.</summary>
    /// <param name="name">A header starting with <see cref="Prefix"/>.</param>
    public static IDisposable Begin(string name, string value)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal)) throw new ArgumentException($"carried headers start with {Prefix}", nameof(name));
        var previous = Headers.Value;
        Headers.Value = new Dictionary<string, string>(previous ?? new Dictionary<string, string>()) { [name] = value };
        return new Scope(previous);
    }

    /// <summary><see cref="Begin(string, string)"/> for a creation time (written in UTC).</summary>
    public static IDisposable BeginIngestion(DateTime createdAtUtc) =>
        Begin(IngestionCreated, DateTime.SpecifyKind(createdAtUtc, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture));

    /// <summary>Makes a consumed message's CoffeeMesh-* headers current (only those: the rest are MassTransit's).</summary>
    internal static IDisposable BeginFrom(MassTransit.Headers headers)
    {
        Dictionary<string, string>? found = null;
        foreach (var header in headers)
            if (header.Key.StartsWith(Prefix, StringComparison.Ordinal) && header.Value is { } value)
                (found ??= [])[header.Key] = value.ToString()!;
        var previous = Headers.Value;
        Headers.Value = found;
        return new Scope(previous);
    }

    /// <summary>Sets the current headers on an outgoing message, leaving any it already has.</summary>
    internal static void ApplyTo(SendHeaders headers, IReadOnlyDictionary<string, string>? carried)
    {
        if (carried is null) return;
        foreach (var (name, value) in carried)
            if (!headers.TryGetHeader(name, out _)) headers.Set(name, value);
    }

    private sealed class Scope(IReadOnlyDictionary<string, string>? previous) : IDisposable
    {
        public void Dispose() => Headers.Value = previous;
    }
}
