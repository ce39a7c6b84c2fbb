using System.Globalization;
using System.Text.Json.Serialization;
using CoffeeMesh.Messaging.Storage;

namespace CoffeeMesh.OltpWriter;

/// <summary>
/// One change an ingestion made to a store's or product's attributes: a new version of the key,
/// valid from its first sale. <see cref="From"/> and <see cref="To"/> hold the attributes that differ.
/// </summary>
public sealed record AttributeChange
{
    [JsonPropertyName("dimension")] public required string Dimension { get; init; }
    [JsonPropertyName("id")] public required int Id { get; init; }
    [JsonPropertyName("valid_from")] public required DateTime ValidFrom { get; init; }
    [JsonPropertyName("from")] public required Dictionary<string, string> From { get; init; }
    [JsonPropertyName("to")] public required Dictionary<string, string> To { get; init; }

    /// <summary>The changes an ingestion made (the first <paramref name="limit"/>, by time recorded) and how many there are in all.</summary>
    public static async Task<(IReadOnlyList<AttributeChange> Changes, long Total)> ListAsync(ServiceStore store, Guid ingestionId, int limit, CancellationToken ct)
    {
        await using var c = await store.OpenAsync(ct);
        var total = Convert.ToInt64(await c.Command("SELECT COUNT(*) FROM attribute_change WHERE ingestion_id = @id").With("@id", ingestionId).ExecuteScalarAsync(ct));
        var changes = new List<AttributeChange>();
        if (total == 0) return (changes, 0);
        foreach (var d in new[] { DimensionVersions.Stores, DimensionVersions.Products })
        {
            var attributes = string.Join(", ", d.Attributes.SelectMany(a => new[] { $"f.{a}", $"t.{a}" }));
            await using var r = await c.Command(
                    $"SELECT a.natural_key, a.valid_from, {attributes} FROM attribute_change a " +
                    $"JOIN {d.VersionTable} f ON f.{d.KeyColumn} = a.from_key JOIN {d.VersionTable} t ON t.{d.KeyColumn} = a.to_key " +
                    "WHERE a.ingestion_id = @id AND a.dimension = @dimension ORDER BY a.recorded_at, a.to_key LIMIT @limit")
                .With("@id", ingestionId).With("@dimension", d.Name).With("@limit", limit).ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var from = new Dictionary<string, string>();
                var to = new Dictionary<string, string>();
                for (var a = 0; a < d.Attributes.Length; a++)
                {
                    var before = Text(r.GetValue(2 + 2 * a));
                    var after = Text(r.GetValue(3 + 2 * a));
                    if (before == after) continue;
                    from[d.Attributes[a]] = before;
                    to[d.Attributes[a]] = after;
                }
                changes.Add(new AttributeChange { Dimension = d.Name, Id = r.GetInt32(0), ValidFrom = r.GetDateTime(1), From = from, To = to });
            }
        }
        return (changes.Take(limit).ToList(), total);
    }

    private static string Text(object value) => value is decimal d ? d.ToString("0.00", CultureInfo.InvariantCulture) : value.ToString() ?? "";
}
