using CoffeeMesh.Cli.Commands;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CoffeeMesh.Cli;

/// <summary>
/// The CLI's one definition: commands, their options and help, exit codes. Exit codes: 0 success;
/// 1 the mesh refused, failed or did not answer; 2 a usage error (the message and the command's
/// help go to stderr); 130 interrupted.
/// </summary>
public static class CliApp
{
    public const int UsageError = 2;
    public const int Interrupted = 130;

    private static readonly string[] Commands = ["generate", "ingest", "status", "ingestions", "errors", "replay", "export"];

    /// <summary>Runs one command line and returns its exit code.</summary>
    public static async Task<int> RunAsync(string[] args, CliConsoles consoles, CancellationToken ct = default)
    {
        // No command at all is a usage error too (Spectre would print the help and exit 0).
        var exit = args.Length == 0 ? UsageError : await Create(consoles, consoles.Out).RunAsync(args, ct);
        if (exit == UsageError)
        {
            // The help of the command that was misused, else the list of commands.
            var command = args.FirstOrDefault(a => Commands.Contains(a, StringComparer.OrdinalIgnoreCase));
            await Create(consoles, consoles.Error).RunAsync(command is null ? ["--help"] : [command, "--help"], ct);
        }
        return exit;
    }

    private static CommandApp Create(CliConsoles consoles, IAnsiConsole console)
    {
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.SetApplicationName("coffeemesh");
            // A misspelled option is an error, not silently ignored (--wiat must not start an ingestion that is not waited for).
            c.UseStrictParsing();
            c.ConfigureConsole(console);
            c.Settings.Registrar.RegisterInstance(consoles);
            c.CancellationExitCode(Interrupted);
            c.SetExceptionHandler((e, _) => Handle(e, consoles.Error));
            c.AddCommand<IngestCommand>("ingest")
                .WithDescription("Ingest a sales file: read in place under the landing folder, uploaded otherwise")
                .WithExample("ingest", "landing/samples/sample-sales.csv", "--wait")
                .WithExample("ingest", "~/exports/march.csv", "--from", "2025-03-01", "--to", "2025-03-31", "--wait", "--json");
            c.AddCommand<StatusCommand>("status")
                .WithDescription("One ingestion: its state, each stage's progress and the accounting of its rows");
            c.AddCommand<IngestionsCommand>("ingestions")
                .WithDescription("The most recent ingestions, newest first")
                .WithExample("ingestions", "--limit", "50");
            c.AddCommand<ErrorsCommand>("errors")
                .WithDescription("What waits in the stages' dead-letter queues, and why");
            c.AddCommand<ReplayCommand>("replay")
                .WithDescription("Send dead-lettered messages back to their queues after a fix");
            c.AddCommand<ExportCommand>("export")
                .WithDescription("Write a date range of sales, as MySQL holds them, as the old pipeline's processed CSV (to a file or gs://)")
                .WithExample("export", "--from", "2025-01-01", "--to", "2025-01-31", "--out", "exports/january.csv")
                .WithExample("export", "--from", "2025-01-01", "--to", "2025-01-31", "--out", "gs://coffee-sales-data/exports/january.csv");
            c.AddCommand<ReconcileCommand>("reconcile")
                .WithDescription("Compare MySQL, the star schema, the bucket and the warehouse day by day; --repair mends the days that differ")
                .WithExample("reconcile", "--from", "2025-01-01", "--to", "2025-06-30", "--repair");
            c.AddCommand<GenerateCommand>("generate")
                .WithDescription("Write a file of synthetic sales in the raw export format")
                .WithExample("generate", "--rows", "1_000_000", "--out", "bench/data/raw.csv", "--dirty", "0.01");
        });
        return app;
    }

    private static int Handle(Exception e, IAnsiConsole error)
    {
        switch (e)
        {
            case CommandAppException usage:
                if (usage.Pretty is { } pretty) error.Write(pretty);
                else CliConsoles.WriteRaw(error, $"error: {usage.Message}");
                return UsageError;
            case HttpRequestException { StatusCode: { } code } http:
                CliConsoles.WriteRaw(error, $"ingest answered {(int)code}: {http.Message}");
                return 1;
            case HttpRequestException http:
                CliConsoles.WriteRaw(error, $"the ingest service did not answer ({http.Message}); is the mesh up? (./coffeemesh up)");
                return 1;
            case OperationCanceledException:
                return Interrupted;
            default:
                CliConsoles.WriteRaw(error, $"error: {e.Message}");
                return 1;
        }
    }
}
