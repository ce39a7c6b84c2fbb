using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CoffeeMesh.Cli.Api;
using CoffeeMesh.Contracts;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.Cli;

/// <summary>
/// ingest FILE --wait against the test mesh: a file elsewhere is uploaded (byte for byte), one under
/// the landing folder is read in place; either way it waits until every stage is done and ends with
/// the summary, or with --json prints only the final status.
/// </summary>
public sealed partial class IngestCommandTests(MeshFixture mesh) : MeshTests(mesh)
{
    private string[] Mesh(params string[] args) => [.. args, "--url", mesh.Ingest.BaseAddress!.ToString(), "--landing", mesh.Landing];

    [Fact]
    public async Task Ingest_wait_uploads_a_file_from_outside_landing_and_ends_completed_with_the_summary()
    {
        const int rows = 2_500;
        var file = CliFiles.Write(CliFiles.Outside("march-upload.csv"), 1_710_000, rows, "2023/03/01");

        var run = await CliRunner.RunAsync(Mesh("ingest", file, "--wait"));

        Assert.True(run.Exit == 0, run.ToString());
        var id = Guid.Parse(IdPattern().Match(run.Out).Value);
        var status = await mesh.WaitAsync(id);
        var source = status["source"]!.GetValue<string>();
        Assert.Equal($"uploads/{id:N}-march-upload.csv", source);
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(mesh.Landing, source)));
        await mesh.AssertEveryRowOnceAsync(status, source, rows);
        Assert.Matches(@"state\s+completed", run.Out);
        Assert.Matches(@"rows read\s+2,500", run.Out);
        Assert.Matches(@"quarantined\s+5\b", run.Out);
        // Not a terminal: plain state lines on stderr, no escape codes anywhere.
        Assert.Contains($"{id}: completed", run.Error);
        Assert.DoesNotContain('\u001b', run.Out + run.Error);
    }

    [Fact]
    public async Task Ingest_wait_reads_a_file_under_landing_in_place()
    {
        const int rows = 1_200;
        var file = CliFiles.Write(Path.Combine(mesh.Landing, "cli", "april.csv"), 1_720_000, rows, "2023/04/01");

        var run = await CliRunner.RunAsync(Mesh("ingest", file, "--wait"));

        Assert.True(run.Exit == 0, run.ToString());
        var id = Guid.Parse(IdPattern().Match(run.Out).Value);
        Assert.Contains("(cli/april.csv)", run.Out);
        await mesh.AssertEveryRowOnceAsync(await mesh.WaitAsync(id), "cli/april.csv", rows);
    }

    [Fact]
    public async Task Ingest_wait_json_prints_only_the_final_status_which_reads_as_IngestionStatus()
    {
        var file = CliFiles.Write(CliFiles.Outside("may.csv"), 1_730_000, 1_000, "2023/05/01");

        var run = await CliRunner.RunAsync(Mesh("ingest", file, "--wait", "--json"));

        Assert.True(run.Exit == 0, run.ToString());
        Assert.Equal("", run.Error);
        var status = JsonSerializer.Deserialize<IngestionStatus>(run.Out, IngestApi.Json)!;
        Assert.Equal("completed", status.State);
        Assert.Equal(1_000, status.RowsRead);
        Assert.Equal(998, status.Accepted);
        Assert.Equal(2, status.Quarantined);
        Assert.IsType<JsonObject>(JsonNode.Parse(run.Out)); // one JSON document, nothing else
    }

    [Fact]
    public async Task Ingest_without_wait_prints_the_accepted_ingestions_id()
    {
        var file = CliFiles.Write(CliFiles.Outside("june.csv"), 1_740_000, 100, "2023/06/01");

        var run = await CliRunner.RunAsync(Mesh("ingest", file));

        Assert.True(run.Exit == 0, run.ToString());
        var id = Guid.Parse(IdPattern().Match(run.Out).Value);
        Assert.Equal($"ingestion {id} accepted", run.Out.Trim());
        Assert.Equal("completed", (await mesh.WaitAsync(id))["state"]!.GetValue<string>());
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex IdPattern();
}
