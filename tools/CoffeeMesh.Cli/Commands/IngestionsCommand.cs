using System.ComponentModel;
using System.Globalization;
using CoffeeMesh.Cli.Api;
using CoffeeMesh.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CoffeeMesh.Cli.Commands;

/// <summary><c>ingestions [--limit N] [--json]</c>: the most recent ingestions, newest first. Exit 0.</summary>
public sealed class IngestionsCommand(CliConsoles consoles) : AsyncCommand<IngestionsCommand.Settings>
{
    public sealed class Settings : MeshSettings
    {
        [CommandOption("--limit <N>")]
        [Description("How many, 1 to 1000")]
        [DefaultValue(20)]
        public int Limit { get; set; } = 20;

        [CommandOption("--json")]
        [Description("Print the JSON array exactly as ingest sent it")]
        public bool Json { get; set; }

        public override ValidationResult Validate() =>
            Limit is < 1 or > 1000 ? ValidationResult.Error("--limit must be 1 to 1000") : base.Validate();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        using var api = new IngestApi(settings.Url);
        var list = await api.ListAsync(settings.Limit, ct);
        if (settings.Json)
        {
            CliConsoles.WriteRaw(consoles.Out, list.Json);
            return 0;
        }
        if (list.Value.Count == 0)
        {
            CliConsoles.WriteRaw(consoles.Out, "no ingestions yet: ./coffeemesh ingest FILE starts one");
            return 0;
        }
        var now = DateTime.UtcNow;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("id").AddColumn("source").AddColumn("state")
            .AddColumn(new TableColumn("rows read").RightAligned()).AddColumn(new TableColumn("accepted").RightAligned())
            .AddColumn(new TableColumn("quarantined").RightAligned()).AddColumn(new TableColumn("duration").RightAligned())
            .AddColumn(new TableColumn("age").RightAligned());
        foreach (var s in list.Value)
        {
            table.AddRow(new Text(s.IngestionId.ToString()), new Text(s.Source), new Text(s.State, new Style(StatusReport.StateColor(s.State))),
                Number(s.RowsRead), Number(s.Accepted), Number(s.Quarantined),
                new Text(IngestionDuration.Of(s, now) is { } d ? Durations.Short(d) : "-"), new Text(Durations.Age(now - s.CreatedAt)));
        }
        consoles.Out.Write(table);
        return 0;
    }

    private static Text Number(long n) => new(n.ToString("N0", CultureInfo.InvariantCulture));
}
