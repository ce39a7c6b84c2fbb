using System.ComponentModel;
using System.Text.Json.Nodes;
using CoffeeMesh.Cli.Api;
using CoffeeMesh.Cli.Rendering;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CoffeeMesh.Cli.Commands;

/// <summary>
/// <c>ingest FILE [--from DATE] [--to DATE] [--wait [--timeout S]] [--json]</c>: a file under the
/// landing folder is named by its path there; any other file is uploaded, streamed from disk. With
/// --wait, shows each stage's progress until the ingestion ends and prints its summary. Exit 0:
/// accepted (without --wait) or completed; 1: refused, failed or timed out.
/// </summary>
public sealed class IngestCommand(CliConsoles consoles) : AsyncCommand<IngestCommand.Settings>
{
    public sealed class Settings : MeshSettings
    {
        [CommandArgument(0, "<FILE>")]
        [Description("CSV/TSV file of sales: under the landing folder it is read in place, elsewhere it is uploaded")]
        public string File { get; set; } = "";

        [CommandOption("--from <DATE>")]
        [Description("Only rows on or after this date (yyyy-MM-dd)")]
        public string? From { get; set; }

        [CommandOption("--to <DATE>")]
        [Description("Only rows on or before this date (yyyy-MM-dd)")]
        public string? To { get; set; }

        [CommandOption("--wait")]
        [Description("Follow the ingestion until every stage is done, then print its summary")]
        public bool Wait { get; set; }

        [CommandOption("--timeout <SECONDS>")]
        [Description("With --wait: give up after this long (exit 1)")]
        [DefaultValue(3600)]
        public int Timeout { get; set; } = 3600;

        [CommandOption("--json")]
        [Description("Print only JSON: the acceptance, or with --wait the final status as ingest sent it")]
        public bool Json { get; set; }

        [CommandOption("--landing <DIR>")]
        [Description("The landing folder ingest reads from (default: $COFFEEMESH_LANDING, else ./landing)")]
        public string? Landing { get; set; }

        public override ValidationResult Validate()
        {
            if (!System.IO.File.Exists(File)) return ValidationResult.Error($"{File}: no such file");
            if (!OptionValues.TryDate(From, out var from)) return ValidationResult.Error("--from must be a date like 2025-01-31");
            if (!OptionValues.TryDate(To, out var to)) return ValidationResult.Error("--to must be a date like 2025-01-31");
            if (from > to) return ValidationResult.Error("--from is after --to");
            if (Timeout < 1) return ValidationResult.Error("--timeout must be at least 1 second");
            return base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        var file = Path.GetFullPath(settings.File);
        var landing = Path.GetFullPath(settings.Landing ?? Environment.GetEnvironmentVariable("COFFEEMESH_LANDING") ?? "landing");
        var (from, to) = (OptionValues.Date(settings.From), OptionValues.Date(settings.To));
        using var api = new IngestApi(settings.Url);

        using var response = file.StartsWith(landing + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? await api.RequestAsync(Path.GetRelativePath(landing, file), from, to, ct)
            : await api.UploadAsync(file, from, to, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            CliConsoles.WriteRaw(consoles.Error, $"ingest refused the request ({(int)response.StatusCode}): {Problem.Detail(body)}");
            return 1;
        }
        var id = JsonNode.Parse(body)!["ingestion_id"]!.GetValue<Guid>();
        if (!settings.Wait)
        {
            CliConsoles.WriteRaw(consoles.Out, settings.Json ? body : $"ingestion {id} accepted");
            return 0;
        }

        var display = settings.Json ? WaitDisplay.None : IngestionWaiter.DisplayFor(consoles.Error);
        var (last, timedOut) = await new IngestionWaiter(api, consoles.Error).WaitAsync(id, TimeSpan.FromSeconds(settings.Timeout), display, ct);
        if (settings.Json)
        {
            // A script reads "timed_out" where the state would be (as before the typed status).
            var json = last.Json;
            if (timedOut && JsonNode.Parse(json) is JsonObject o) { o["state"] = "timed_out"; json = o.ToJsonString(); }
            CliConsoles.WriteRaw(consoles.Out, json);
        }
        else
        {
            consoles.Out.Write(StatusReport.Render(last.Value));
            if (timedOut) CliConsoles.WriteRaw(consoles.Error, $"still {last.Value.State} after {settings.Timeout} s; ./coffeemesh status {id} follows it");
        }
        return !timedOut && last.Value.State == "completed" ? 0 : 1;
    }
}
