using System.Text.Json;
using CoffeeMesh.Cli.Api;
using CoffeeMesh.Contracts;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.Cli;

/// <summary>ingestions: the most recent ingestions, newest first, as a table or the service's JSON.</summary>
public sealed class IngestionsCommandTests(MeshFixture mesh) : MeshTests(mesh)
{
    private string[] Mesh(params string[] args) => [.. args, "--url", mesh.Ingest.BaseAddress!.ToString()];

    [Fact]
    public async Task Ingestions_lists_a_newer_ingestion_before_an_older_one()
    {
        CliFiles.Write(Path.Combine(mesh.Landing, "cli", "older.csv"), 1_770_000, 200, "2023/09/01");
        CliFiles.Write(Path.Combine(mesh.Landing, "cli", "newer.csv"), 1_780_000, 200, "2023/10/01");
        var older = await mesh.RequestAsync("cli/older.csv");
        var newer = await mesh.RequestAsync("cli/newer.csv");
        await mesh.WaitAsync(older);
        await mesh.WaitAsync(newer);

        // Other tests ingest at the same time: the two are looked for among the most recent 1000.
        var json = await CliRunner.RunAsync(Mesh("ingestions", "--json", "--limit", "1000"));
        var table = await CliRunner.RunAsync(Mesh("ingestions", "--limit", "1000"));

        Assert.True(json.Exit == 0, json.ToString());
        var ids = JsonSerializer.Deserialize<List<IngestionStatus>>(json.Out, IngestApi.Json)!.Select(s => s.IngestionId).ToList();
        Assert.True(ids.IndexOf(newer) >= 0 && ids.IndexOf(newer) < ids.IndexOf(older), json.Out);
        Assert.True(table.Exit == 0, table.ToString());
        var newerRow = table.Out.Split('\n').Single(l => l.Contains(newer.ToString()));
        Assert.Matches(@"cli/newer\.csv\s+│\s+completed\s+│\s+200\s+│\s+200\s+│\s+0\s+│", newerRow);
        Assert.True(table.Out.IndexOf(newer.ToString(), StringComparison.Ordinal) < table.Out.IndexOf(older.ToString(), StringComparison.Ordinal));
    }
}
