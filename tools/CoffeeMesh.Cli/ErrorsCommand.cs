using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace CoffeeMesh.Cli;

/// <summary>
/// <c>errors [--ingestion ID] [--json]</c>: what waits in the stages' dead-letter queues and why;
/// <c>replay [--ingestion ID]</c>: sends it back (after a fix) so its ingestions can complete.
/// </summary>
public static class ErrorsCommand
{
    public static async Task<int> ListAsync(Args args, CancellationToken ct)
    {
        using var http = IngestCommand.Client(args);
        var query = args.Get("ingestion") is { } id ? $"?ingestion={Guid.Parse(id)}" : "";
        var errors = (await http.GetFromJsonAsync<JsonObject>($"/errors{query}", ct))!;
        if (args.Has("json")) { Console.WriteLine(errors.ToJsonString()); return 0; }
        var queues = errors["dead_letter_queues"]!.AsArray().Where(q => q!["messages"]!.GetValue<long>() > 0).ToList();
        Console.WriteLine(queues.Count == 0 ? "no dead-lettered messages" : "dead-letter queues:");
        foreach (var q in queues) Console.WriteLine($"  {q!["queue"],-48} {q["messages"],6} messages  ({q["stage"]})");
        var failures = errors["failures"]!.AsArray();
        if (failures.Count > 0) Console.WriteLine("failures (newest first):");
        foreach (var f in failures)
            Console.WriteLine($"  {f!["ingestion_id"]}  {f["stage"],-12} {(f["batch"] is null ? f["message_type"] : $"batch {f["batch"]}"),-10} " +
                              $"{Age(f["age_seconds"]!.GetValue<long>()),6} ago  {f["reason"]}");
        if (failures.Count > 0) Console.WriteLine("after a fix: ./coffeemesh replay [--ingestion ID]");
        return 0;
    }

    public static async Task<int> ReplayAsync(Args args, CancellationToken ct)
    {
        using var http = IngestCommand.Client(args);
        var query = args.Get("ingestion") is { } id ? $"?ingestion={Guid.Parse(id)}" : "";
        var response = await http.PostAsync($"/errors/replay{query}", null, ct);
        response.EnsureSuccessStatusCode();
        var result = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
        Console.WriteLine($"{result["replayed"]} messages sent back to their queues");
        foreach (var q in result["queues"]!.AsArray().Where(q => q!["replayed"]!.GetValue<int>() > 0))
            Console.WriteLine($"  {q!["queue"]}: {q["replayed"]}");
        return 0;
    }

    private static string Age(long seconds) => seconds < 120 ? $"{seconds}s" : seconds < 7200 ? $"{seconds / 60}m" : $"{seconds / 3600}h";
}
