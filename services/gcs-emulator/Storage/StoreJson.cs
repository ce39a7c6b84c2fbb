using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>How the store's own files (<c>.json</c> beside the data) are written.</summary>
public static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T? Read<T>(string path) => JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Options);
}
