using System.Globalization;
using System.Text.Json.Nodes;
using CoffeeMesh.Tests.Infrastructure;
using MySqlConnector;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>
/// Every file of <c>tests/cases/shared/</c> (the files real users send) gives exactly the outcome in
/// its <c>.expected.json</c>, end to end on the real servers (tests/cases/README.md).
/// </summary>
[Collection(nameof(LandingScans))]
public sealed class SharedCaseTests(MeshFixture mesh) : MeshTests(mesh)
{
    public static string CasesFolder => Path.Combine(AppContext.BaseDirectory, "cases", "shared");

    public static TheoryData<string> Cases() =>
        new(Directory.EnumerateFiles(CasesFolder, "*.csv").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Shared_case_gives_its_expected_outcome(string name)
    {
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(CasesFolder, name + ".expected.json")))!.AsObject();
        var status = name.StartsWith("incoming-", StringComparison.Ordinal) ? await DropIntoIncomingAsync(name) : await RequestAsync(name);

        foreach (var key in new[] { "rows_read", "accepted", "quarantined", "stored_oltp", "synced_olap" })
            if (expected[key] is { } value)
                Assert.True(value.GetValue<long>() == status[key]?.GetValue<long>(), $"{name}: {key} expected {value}, got {status[key]}\n{status.ToJsonString()}");
        if (expected["state"] is { } state)
            Assert.Equal(state.GetValue<string>(), status["state"]!.GetValue<string>());
        if (expected["quarantined_by_reason"] is JsonObject reasons)
            Assert.Equal(Counts(reasons), Counts(status["quarantined_by_reason"]!.AsObject()));
        if (expected["after"] is JsonObject after)
            foreach (var (key, value) in after)
                Assert.Equal(value!.GetValue<string>(), await ReadBackAsync(key));
        if (status["state"]!.GetValue<string>() == "completed" && status["ingestion_id"] is not null)
            await mesh.AssertStarSchemaMatchesAsync(status);
    }

    private async Task<JsonObject> RequestAsync(string name)
    {
        File.Copy(Path.Combine(CasesFolder, name + ".csv"), Path.Combine(mesh.Landing, $"case-{name}.csv"), overwrite: true);
        return await mesh.IngestAsync($"case-{name}.csv");
    }

    /// <summary>
    /// Dropped into landing/incoming/ as a finished file (last written long enough ago to have
    /// settled) and picked up by a scan; the status of every ingestion the scan made, added up.
    /// </summary>
    private async Task<JsonObject> DropIntoIncomingAsync(string name)
    {
        var path = Path.Combine(mesh.Landing, "incoming", $"case-{Guid.NewGuid():N}", name + ".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(Path.Combine(CasesFolder, name + ".csv"), path);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-10));
        var ingestions = await mesh.ScanAsync();
        Assert.NotEmpty(ingestions);
        var total = new JsonObject { ["rows_read"] = 0L, ["accepted"] = 0L, ["quarantined"] = 0L, ["state"] = "completed", ["quarantined_by_reason"] = new JsonObject() };
        foreach (var id in ingestions)
        {
            var status = await mesh.WaitAsync(id);
            foreach (var key in new[] { "rows_read", "accepted", "quarantined" })
                total[key] = total[key]!.GetValue<long>() + status[key]!.GetValue<long>();
            if (status["state"]!.GetValue<string>() != "completed") total["state"] = status["state"]!.GetValue<string>();
        }
        return total;
    }

    private static Dictionary<string, long> Counts(JsonObject o) => o.ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<long>());

    /// <summary>
    /// "&lt;transaction_id&gt; &lt;column&gt;" from sales_data; "product &lt;id&gt; &lt;column&gt;" from the
    /// product's current attributes; "product &lt;id&gt; &lt;column&gt; for sale &lt;transaction_id&gt;" as the sale shows it.
    /// </summary>
    private async Task<string?> ReadBackAsync(string key)
    {
        var parts = key.Split(' ');
        string sql;
        var parameters = new List<(string, object)>();
        if (parts[0] == "product" && parts.Length == 6 && parts[3] == "for" && parts[4] == "sale")
        {
            sql = $"SELECT {Column(parts[2])} FROM sales_data WHERE transaction_id = @t AND product_id = @p";
            parameters.Add(("@t", parts[5]));
            parameters.Add(("@p", int.Parse(parts[1], CultureInfo.InvariantCulture)));
        }
        else if (parts[0] == "product" && parts.Length == 3)
        {
            sql = $"SELECT {Column(parts[2])} FROM products WHERE product_id = @p";
            parameters.Add(("@p", int.Parse(parts[1], CultureInfo.InvariantCulture)));
        }
        else if (parts.Length == 2)
        {
            sql = $"SELECT {Column(parts[1])} FROM sales_data WHERE transaction_id = @t";
            parameters.Add(("@t", parts[0]));
        }
        else throw new ArgumentException($"unknown read-back key '{key}'");

        await using var c = await mesh.OpenOltpAsync();
        await using var cmd = new MySqlCommand(sql, c);
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        return await cmd.ExecuteScalarAsync() switch
        {
            null or DBNull => null,
            decimal d => d.ToString("0.00", CultureInfo.InvariantCulture),
            TimeSpan t => t.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture),
            DateTime dt => dt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            var other => Convert.ToString(other, CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Only the legacy columns may be named: the key's column goes into SQL text.</summary>
    private static string Column(string name) => CoffeeMesh.Contracts.SalesColumns.All.Contains(name) || name == "total_amount"
        ? name
        : throw new ArgumentException($"'{name}' is not a sales column");
}
