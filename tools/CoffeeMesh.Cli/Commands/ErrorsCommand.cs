using System.ComponentModel;
using System.Text.Json.Nodes;
using CoffeeMesh.Cli.Api;
using CoffeeMesh.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CoffeeMesh.Cli.Commands;

/// <summary><c>errors [--ingestion ID] [--json]</c>: what waits in the stages' dead-letter queues and why. Exit 0.</summary>
public sealed class ErrorsCommand(CliConsoles consoles) : AsyncCommand<ErrorsCommand.Settings>
{
    public sealed class Settings : MeshSettings
    {
        [CommandOption("--ingestion <ID>")]
        [Description("Only this ingestion's failures")]
        public Guid? Ingestion { get; set; }

        [CommandOption("--json")]
        [Description("Print the JSON exactly as ingest sent it")]
        public bool Json { get; set; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        using var api = new IngestApi(settings.Url);
        var body = await api.GetStringAsync($"/errors{(settings.Ingestion is { } id ? $"?ingestion={id}" : "")}", ct);
        if (settings.Json) { CliConsoles.WriteRaw(consoles.Out, body); return 0; }
        var errors = JsonNode.Parse(body)!.AsObject();
        var queues = errors["dead_letter_queues"]!.AsArray().Where(q => q!["messages"]!.GetValue<long>() > 0).ToList();
        if (queues.Count == 0) CliConsoles.WriteRaw(consoles.Out, "no dead-lettered messages");
        else
        {
            var table = new Table().Border(TableBorder.Rounded).Title("dead-letter queues")
                .AddColumn("queue").AddColumn(new TableColumn("messages").RightAligned()).AddColumn("stage");
            foreach (var q in queues) table.AddRow(new Text(q!["queue"]!.ToString()), new Text(q["messages"]!.ToString()), new Text(q["stage"]!.ToString()));
            consoles.Out.Write(table);
        }
        var failures = errors["failures"]!.AsArray();
        if (failures.Count == 0) return 0;
        var list = new Table().Border(TableBorder.Rounded).Title("failures (newest first)").Caption("after a fix: ./coffeemesh replay [--ingestion ID]")
            .AddColumn("ingestion").AddColumn("stage").AddColumn("message").AddColumn(new TableColumn("age").RightAligned()).AddColumn("reason");
        foreach (var f in failures)
            list.AddRow(new Text(f!["ingestion_id"]!.ToString()), new Text(f["stage"]!.ToString()),
                new Text(f["batch"] is { } batch ? $"batch {batch}" : f["message_type"]!.ToString()),
                new Text(Durations.Age(TimeSpan.FromSeconds(f["age_seconds"]!.GetValue<long>()))), new Text(f["reason"]!.ToString()));
        consoles.Out.Write(list);
        return 0;
    }
}
