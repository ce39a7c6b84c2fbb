using System.Text.Json;
using CoffeeMesh.Cli.Api;
using CoffeeMesh.Contracts;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.Cli;

/// <summary>status ID: a table with a row per stage and the accounting; --json the service's JSON unchanged.</summary>
public sealed class StatusCommandTests(MeshFixture mesh) : MeshTests(mesh)
{
    private string[] Mesh(params string[] args) => [.. args, "--url", mesh.Ingest.BaseAddress!.ToString()];

    private async Task<Guid> IngestedAsync(string name, long firstId, string date)
    {
        CliFiles.Write(Path.Combine(mesh.Landing, "cli", name), firstId, 1_500, date);
        var id = await mesh.RequestAsync($"cli/{name}");
        Assert.Equal("completed", (await mesh.WaitAsync(id))["state"]!.GetValue<string>());
        return id;
    }

    [Fact]
    public async Task Status_shows_a_row_per_stage_and_the_accounting()
    {
        var id = await IngestedAsync("status-table.csv", 1_750_000, "2023/07/01");

        var run = await CliRunner.RunAsync(Mesh("status", id.ToString()));

        Assert.True(run.Exit == 0, run.ToString());
        Assert.Contains($"{id}  (cli/status-table.csv)", run.Out);
        Assert.Matches(@"ingest read\s+│\s+2\s+│\s+1,500", run.Out);
        Assert.Matches(@"transform cleaned\s+│\s+2\s+│\s+1,500\s+│\s+1,497\s+│\s+3", run.Out);
        Assert.Matches(@"oltp-writer stored\s+│\s+2\s+│\s+1,497", run.Out);
        Assert.Matches(@"olap-sync synced\s+│\s+2\s+│\s+1,497", run.Out);
        Assert.Matches(@"stored_oltp\s+1,497", run.Out);
        Assert.Matches(@"synced_olap\s+1,497", run.Out);
        Assert.Matches(@"balanced\s+yes", run.Out);
        Assert.Contains("quarantined by reason", run.Out);
    }

    [Fact]
    public async Task Status_json_prints_the_services_json_unchanged()
    {
        var id = await IngestedAsync("status-json.csv", 1_760_000, "2023/08/01");

        var run = await CliRunner.RunAsync(Mesh("status", id.ToString(), "--json"));

        Assert.True(run.Exit == 0, run.ToString());
        Assert.Equal(await mesh.Ingest.GetStringAsync($"/ingestions/{id}", TestContext.Current.CancellationToken), run.Out.TrimEnd('\n'));
        var status = JsonSerializer.Deserialize<IngestionStatus>(run.Out, IngestApi.Json)!;
        Assert.Equal(id, status.IngestionId);
        Assert.Equal(1_500, status.RowsRead);
    }

    [Fact]
    public async Task Status_of_an_ingestion_ingest_does_not_know_exits_1()
    {
        var run = await CliRunner.RunAsync(Mesh("status", Guid.NewGuid().ToString()));

        Assert.Equal(1, run.Exit);
        Assert.Contains("no such ingestion", run.Error);
    }
}
