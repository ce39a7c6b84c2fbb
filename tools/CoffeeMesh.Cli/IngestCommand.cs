using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CoffeeMesh.Cli;

/// <summary>
/// <c>ingest FILE [--from DATE] [--to DATE] [--wait] [--json]</c>: a file under the landing folder is
/// named by path; any other file is uploaded. With --wait, polls until every stage is done.
/// </summary>
public static class IngestCommand
{
    public static async Task<int> RunAsync(Args args, CancellationToken ct)
    {
        if (args.Positional.Count != 1) throw new UsageException("usage: ingest FILE [--from yyyy-MM-dd] [--to yyyy-MM-dd] [--wait] [--json]");
        var file = Path.GetFullPath(args.Positional[0]);
        if (!File.Exists(file)) throw new UsageException($"{args.Positional[0]}: no such file");
        var from = args.GetDate("from");
        var to = args.GetDate("to");
        using var http = Client(args);
        var landing = Path.GetFullPath(Environment.GetEnvironmentVariable("COFFEEMESH_LANDING") ?? "landing");

        HttpResponseMessage response;
        if (file.StartsWith(landing + Path.DirectorySeparatorChar))
        {
            response = await http.PostAsJsonAsync("/ingestions",
                new { source = Path.GetRelativePath(landing, file), from = from?.ToString("yyyy-MM-dd"), to = to?.ToString("yyyy-MM-dd") }, ct);
        }
        else
        {
            using var form = new MultipartFormDataContent();
            var content = new StreamContent(File.OpenRead(file));
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            form.Add(content, "file", Path.GetFileName(file));
            if (from is not null) form.Add(new StringContent(from.Value.ToString("yyyy-MM-dd")), "from");
            if (to is not null) form.Add(new StringContent(to.Value.ToString("yyyy-MM-dd")), "to");
            response = await http.PostAsync("/ingestions/upload", form, ct);
        }
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            Console.Error.WriteLine($"ingest refused the request ({(int)response.StatusCode}): {Detail(body)}");
            return 1;
        }
        var id = JsonNode.Parse(body)!["ingestion_id"]!.GetValue<Guid>();
        if (!args.Has("wait"))
        {
            Console.WriteLine(args.Has("json") ? body : $"ingestion {id} accepted");
            return 0;
        }
        var timeout = TimeSpan.FromSeconds(args.GetLong("timeout", 3600));
        var status = await WaitAsync(http, id, timeout, quiet: args.Has("json"), ct);
        Print(status, args.Has("json"));
        return status["state"]?.GetValue<string>() == "completed" ? 0 : 1;
    }

    public static async Task<int> StatusAsync(Args args, CancellationToken ct)
    {
        if (args.Positional.Count != 1 || !Guid.TryParse(args.Positional[0], out var id)) throw new UsageException("usage: status INGESTION_ID [--json]");
        using var http = Client(args);
        var response = await http.GetAsync($"/ingestions/{id}", ct);
        if (!response.IsSuccessStatusCode) { Console.Error.WriteLine($"no such ingestion ({(int)response.StatusCode})"); return 1; }
        Print(JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!.AsObject(), args.Has("json"));
        return 0;
    }

    public static async Task<JsonObject> WaitAsync(HttpClient http, Guid id, TimeSpan timeout, bool quiet, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? last = null;
        while (true)
        {
            var status = (await http.GetFromJsonAsync<JsonObject>($"/ingestions/{id}", ct))!;
            var state = status["state"]!.GetValue<string>();
            if (!quiet && state != last)
                Console.Error.WriteLine($"  {DateTime.Now:HH:mm:ss} {id}: {state}" +
                                        (status["stalled"] is JsonObject stalled ? $" for {stalled["seconds"]} s, waiting for {stalled["waiting_for"]}" : ""));
            last = state;
            if (state is "completed" or "failed") return status;
            if (DateTime.UtcNow > deadline) { status["state"] = "timed_out"; return status; }
            await Task.Delay(250, ct);
        }
    }

    public static void Print(JsonObject status, bool json)
    {
        if (json)
        {
            Console.WriteLine(status.ToJsonString());
            return;
        }
        Console.WriteLine($"""
            ingestion      {status["ingestion_id"]}  ({status["source"]})
            state          {status["state"]}{(status["error"] is { } e ? $": {e}" : "")}
            ingest         {status["rows_read"]} rows read in {status["batches"]} batches
            transform      {status["accepted"]} accepted, {status["quarantined"]} quarantined, {status["out_of_range"]} out of range
            oltp-writer    {status["stored_oltp"]?.ToString() ?? "-"} rows stored in MySQL ({status["batches_stored"]} batches, {status["duplicates_superseded"]} duplicates superseded)
            olap-sync      {status["synced_olap"]?.ToString() ?? "-"} facts in the PostgreSQL star schema ({status["batches_synced"]} batches)
            balanced       {status["balanced"]?.ToString() ?? "-"}
            """);
        if (status["failures"] is JsonArray { Count: > 0 } failures)
        {
            Console.WriteLine("failures (the messages wait in their dead-letter queues; ./coffeemesh errors lists them, ./coffeemesh replay sends them back):");
            foreach (var failure in failures)
                Console.WriteLine($"  {failure!["stage"]}, {(failure["batch"] is null ? failure["message_type"] : $"batch {failure["batch"]}")}: {failure["reason"]}");
        }
        if (status["format"] is JsonObject f)
            Console.WriteLine($"format         separator '{f["separator"]}', dates {f["date_order"]}, decimal mark '{f["decimal_mark"]}', " +
                              $"{f["line_ending"]} line endings, {f["shape"]} file");
        if (status["quarantined_by_reason"] is JsonObject reasons && reasons.Count > 0)
        {
            Console.WriteLine("quarantined by reason:");
            foreach (var (reason, count) in reasons) Console.WriteLine($"  {reason,-28} {count}");
        }
        if (status["attribute_changes"] is JsonArray { Count: > 0 } changes)
        {
            Console.WriteLine($"attribute changes ({status["attribute_changes_total"]}; earlier sales keep their attributes):");
            foreach (var c in changes)
            {
                var from = c!["from"]!.AsObject().Select(kv => $"{kv.Key} '{kv.Value}'");
                var to = c["to"]!.AsObject().Select(kv => $"'{kv.Value}'");
                Console.WriteLine($"  {c["dimension"]} {c["id"]} from {c["valid_from"]}: {string.Join(", ", from)} -> {string.Join(", ", to)}");
            }
        }
    }

    public static HttpClient Client(Args args) => new()
    {
        BaseAddress = new Uri(args.Get("url") ?? Environment.GetEnvironmentVariable("COFFEEMESH_INGEST_URL") ?? "http://127.0.0.1:5380"),
        Timeout = TimeSpan.FromMinutes(30),
    };

    private static string Detail(string body)
    {
        try { return JsonNode.Parse(body)?["detail"]?.GetValue<string>() ?? body; }
        catch (JsonException) { return body; }
    }
}
