using System.ComponentModel;
using CoffeeMesh.Cli.Api;
using CoffeeMesh.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CoffeeMesh.Cli.Commands;

/// <summary><c>status ID [--json]</c>: one ingestion as tables, or its JSON unchanged. Exit 0; 1 when ingest does not know the id.</summary>
public sealed class StatusCommand(CliConsoles consoles) : AsyncCommand<StatusCommand.Settings>
{
    public sealed class Settings : MeshSettings
    {
        [CommandArgument(0, "<INGESTION_ID>")]
        [Description("The ingestion's id (ingest and ingestions print it)")]
        public Guid Id { get; set; }

        [CommandOption("--json")]
        [Description("Print the status JSON exactly as ingest sent it")]
        public bool Json { get; set; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        using var api = new IngestApi(settings.Url);
        if (await api.StatusAsync(settings.Id, ct) is not { } status)
        {
            CliConsoles.WriteRaw(consoles.Error, $"no such ingestion: {settings.Id}");
            return 1;
        }
        if (settings.Json) CliConsoles.WriteRaw(consoles.Out, status.Json);
        else consoles.Out.Write(StatusReport.Render(status.Value));
        return 0;
    }
}
