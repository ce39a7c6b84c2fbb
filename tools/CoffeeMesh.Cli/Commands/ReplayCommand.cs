using System.ComponentModel;
using System.Text.Json.Nodes;
using CoffeeMesh.Cli.Api;
using Spectre.Console.Cli;

namespace CoffeeMesh.Cli.Commands;

/// <summary><c>replay [--ingestion ID]</c>: sends dead-lettered messages back to their queues (after a fix). Exit 0.</summary>
public sealed class ReplayCommand(CliConsoles consoles) : AsyncCommand<ReplayCommand.Settings>
{
    public sealed class Settings : MeshSettings
    {
        [CommandOption("--ingestion <ID>")]
        [Description("Only this ingestion's messages")]
        public Guid? Ingestion { get; set; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        using var api = new IngestApi(settings.Url);
        using var response = await api.PostAsync($"/errors/replay{(settings.Ingestion is { } id ? $"?ingestion={id}" : "")}", ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} from /errors/replay: {Problem.Detail(body)}", null, response.StatusCode);
        var result = JsonNode.Parse(body)!;
        var lines = new List<string> { $"{result["replayed"]} messages sent back to their queues" };
        lines.AddRange(result["queues"]!.AsArray().Where(q => q!["replayed"]!.GetValue<int>() > 0).Select(q => $"  {q!["queue"]}: {q["replayed"]}"));
        CliConsoles.WriteRaw(consoles.Out, string.Join('\n', lines));
        return 0;
    }
}
