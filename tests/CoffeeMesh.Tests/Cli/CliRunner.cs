using CoffeeMesh.Cli;
using Spectre.Console.Testing;

namespace CoffeeMesh.Tests.Cli;

/// <summary>What one CLI command line did: its exit code and what it wrote to stdout and stderr.</summary>
public sealed record CliRun(int Exit, string Out, string Error)
{
    public override string ToString() => $"exit {Exit}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the CLI exactly as its Program does (CliApp), on two test consoles that are not terminals
/// (no escape codes, no live display), wide enough that tables do not wrap.
/// </summary>
public static class CliRunner
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        var output = new TestConsole().Width(250);
        var error = new TestConsole().Width(250);
        var exit = await CliApp.RunAsync(args, new CliConsoles(output, error), TestContext.Current.CancellationToken);
        return new CliRun(exit, output.Output, error.Output);
    }
}
