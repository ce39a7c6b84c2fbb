namespace CoffeeMesh.Tests.Cli;

/// <summary>The CLI's usage: what a wrong command line gets (exit 2 and the help), and a mesh that does not answer (exit 1).</summary>
public sealed class CliAppTests
{
    [Fact]
    public async Task A_command_missing_its_argument_exits_2_with_that_commands_help()
    {
        var run = await CliRunner.RunAsync("ingest", "--wait");

        Assert.Equal(2, run.Exit);
        Assert.Contains("missing required argument 'FILE'", run.Error);
        Assert.Contains("coffeemesh ingest <FILE> [OPTIONS]", run.Error);
        Assert.Contains("--timeout <SECONDS>", run.Error);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task An_unknown_command_exits_2_with_the_list_of_commands()
    {
        var run = await CliRunner.RunAsync("ingets", "file.csv");

        Assert.Equal(2, run.Exit);
        Assert.Contains("Unknown command 'ingets'", run.Error);
        foreach (var command in new[] { "ingest", "status", "ingestions", "errors", "replay", "generate" })
            Assert.Contains($"    {command}", run.Error);
    }

    [Fact]
    public async Task No_command_exits_2_with_the_list_of_commands()
    {
        var run = await CliRunner.RunAsync();

        Assert.Equal(2, run.Exit);
        Assert.Contains("coffeemesh [OPTIONS] <COMMAND>", run.Error);
    }

    [Fact]
    public async Task A_misspelled_option_exits_2_naming_it_instead_of_being_ignored()
    {
        var file = Path.GetTempFileName();
        try
        {
            var run = await CliRunner.RunAsync("ingest", file, "--wiat", "--url", "http://127.0.0.1:9");

            Assert.Equal(2, run.Exit);
            Assert.Contains("wiat", run.Error);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task A_date_not_written_yyyy_MM_dd_exits_2_naming_the_option()
    {
        var file = Path.GetTempFileName();
        try
        {
            var run = await CliRunner.RunAsync("ingest", file, "--from", "01/03/2025");

            Assert.Equal(2, run.Exit);
            Assert.Contains("--from must be a date like 2025-01-31", run.Error);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public async Task A_file_that_does_not_exist_exits_2_naming_it()
    {
        var run = await CliRunner.RunAsync("ingest", "/nonexistent/sales.csv");

        Assert.Equal(2, run.Exit);
        Assert.Contains("/nonexistent/sales.csv: no such file", run.Error);
    }

    [Fact]
    public async Task Status_of_something_that_is_not_an_id_exits_2()
    {
        var run = await CliRunner.RunAsync("status", "last-night");

        Assert.Equal(2, run.Exit);
        Assert.Contains("coffeemesh status <INGESTION_ID>", run.Error);
    }

    [Fact]
    public async Task Ingestions_limit_outside_1_to_1000_exits_2()
    {
        var run = await CliRunner.RunAsync("ingestions", "--limit", "0");

        Assert.Equal(2, run.Exit);
        Assert.Contains("--limit must be 1 to 1000", run.Error);
    }

    [Fact]
    public async Task A_mesh_that_does_not_answer_exits_1_saying_so()
    {
        var run = await CliRunner.RunAsync("status", Guid.NewGuid().ToString(), "--url", "http://127.0.0.1:1");

        Assert.Equal(1, run.Exit);
        Assert.Contains("the ingest service did not answer", run.Error);
    }

    [Fact]
    public async Task Generate_takes_row_counts_with_underscores()
    {
        var file = Path.Combine(Path.GetTempPath(), $"coffeemesh-cli-{Guid.NewGuid():N}.csv");
        try
        {
            var run = await CliRunner.RunAsync("generate", "--rows", "1_500", "--out", file, "--days", "2");

            Assert.Equal(0, run.Exit);
            Assert.Contains("wrote 1500 rows", run.Out);
            Assert.Equal(1501, File.ReadLines(file).Count());
        }
        finally { File.Delete(file); }
    }
}
