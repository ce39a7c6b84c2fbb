using System.Globalization;
using System.Text.Json.Nodes;

namespace CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;

/// <summary>A named query parameter (parameterMode NAMED): referenced as <c>@name</c> in the SQL, its value sent apart from it.</summary>
internal sealed record QueryParameter(string Name, string Type, string Value)
{
    public static QueryParameter String(string name, string value) => new(name, "STRING", value);
    public static QueryParameter Int64(string name, long value) => new(name, "INT64", value.ToString(CultureInfo.InvariantCulture));
    public static QueryParameter Date(string name, DateOnly value) => new(name, "DATE", value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <summary>The REST API's QueryParameter: {name, parameterType: {type}, parameterValue: {value}}.</summary>
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["parameterType"] = new JsonObject { ["type"] = Type },
        ["parameterValue"] = new JsonObject { ["value"] = Value },
    };

    public static JsonArray ToJson(IEnumerable<QueryParameter> parameters) => new(parameters.Select(p => (JsonNode)p.ToJson()).ToArray());
}
