using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using CoffeeMesh.Cli.Api;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CoffeeMesh.Cli.Commands;

/// <summary>
/// <c>reconcile --from DATE --to DATE [--repair] [--json]</c>: rows, quantity and amount per day in MySQL, the star
/// schema, the bucket and the warehouse. Exit 0 when every day agrees (after the repair, with --repair), 1 otherwise.
/// </summary>
public sealed class ReconcileCommand(CliConsoles consoles) : AsyncCommand<ReconcileCommand.Settings>
{
    public sealed class Settings : MeshSettings
    {
        [CommandOption("--from <DATE>")]
        [Description("First day (yyyy-MM-dd)")]
        public DateOnly? From { get; set; }

        [CommandOption("--to <DATE>")]
        [Description("Last day (yyyy-MM-dd), at most 366 days after --from")]
        public DateOnly? To { get; set; }

        [CommandOption("--repair")]
        [Description("Rebuild each day that disagrees from MySQL: the star schema's facts, the bucket's objects, the warehouse's load")]
        public bool Repair { get; set; }

        [CommandOption("--json")]
        [Description("Print the JSON exactly as ingest sent it")]
        public bool Json { get; set; }

        public override ValidationResult Validate()
        {
            if (From is null || To is null) return ValidationResult.Error("--from and --to are required");
            if (To < From) return ValidationResult.Error("--to must not be before --from");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        using var api = new IngestApi(settings.Url);
        var range = $"from={settings.From:yyyy-MM-dd}&to={settings.To:yyyy-MM-dd}";
        string body;
        if (settings.Repair)
        {
            using var response = await api.PostAsync($"/reconciliation/repair?{range}", ct);
            body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new HttpRequestException($"{(int)response.StatusCode} from /reconciliation/repair: {Problem.Detail(body)}", null, response.StatusCode);
        }
        else body = await api.GetStringAsync($"/reconciliation?{range}", ct);
        var json = JsonNode.Parse(body)!;
        var report = settings.Repair ? json["after"]! : json;
        if (settings.Json) CliConsoles.WriteRaw(consoles.Out, body);
        else
        {
            if (settings.Repair)
            {
                var repaired = json["repaired"]!.AsArray();
                CliConsoles.WriteRaw(consoles.Out, repaired.Count == 0 ? "nothing to repair" : string.Join('\n',
                    repaired.Select(r => $"repaired {r!["date"]}: {string.Join("; ", r["actions"]!.AsArray().Select(a => a!.ToString()))}")));
            }
            Render(report);
        }
        return report["agrees"]!.GetValue<bool>() ? 0 : 1;
    }

    private void Render(JsonNode report)
    {
        var days = report["days"]!.AsArray();
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{report["from"]} .. {report["to"]}: {(report["agrees"]!.GetValue<bool>() ? "the four stores agree" : "stores disagree")}")
            .AddColumn("day").AddColumn(new TableColumn("mysql rows").RightAligned()).AddColumn(new TableColumn("amount").RightAligned())
            .AddColumn("postgresql").AddColumn("gcs").AddColumn("warehouse");
        foreach (var d in days)
        {
            var mysql = d!["mysql"]!;
            string Cell(string store) => d["differs"]!.AsArray().Any(s => s!.ToString() == store)
                ? $"[red]{d[store]!["rows"]} rows, {Amount(d[store]!)}[/]"
                : "[green]=[/]";
            table.AddRow(new Text(d["date"]!.ToString()), new Text(mysql["rows"]!.ToString()), new Text(Amount(mysql)),
                new Markup(Cell("postgresql")), new Markup(Cell("gcs")), new Markup(Cell("warehouse")));
        }
        if (days.Count == 0) CliConsoles.WriteRaw(consoles.Out, "no sales on those days in any store");
        else consoles.Out.Write(table);
    }

    private static string Amount(JsonNode totals) => totals["amount"]!.GetValue<decimal>().ToString("N2", CultureInfo.InvariantCulture);
}
