using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CoffeeMesh.Tests.Warehouse;

/// <summary>
/// A local stand-in for BigQuery's REST API (Kestrel on 127.0.0.1, a free port). It is not a SQL engine: it
/// records every request and answers what the test scripted. Jobs: jobs.insert creates a job (409 when the id
/// exists), jobs.get answers RUNNING <see cref="JobScript.RunningPolls"/> times then DONE with the scripted
/// status and statistics, and 404 without the right location. jobs.query answers <see cref="Rows"/>.
/// datasets.insert and tables.insert answer 200, then 409 for a name seen before. Faults scripted with
/// <see cref="Fail"/> answer matching requests before anything else (a status, or a connection dropped).
/// </summary>
public sealed class BigQueryStandIn : IAsyncDisposable
{
    public const string Location = "europe-west1";

    /// <summary>One request as received: method, path (from /bigquery/v2/), query string, JSON body.</summary>
    public sealed record Request(string Method, string Path, IQueryCollection Query, JsonNode? Body);

    /// <summary>How a job runs: polls answered RUNNING, then DONE with this errorResult, these errors and (load jobs) output rows.</summary>
    public sealed record JobScript(int RunningPolls = 1, JsonObject? ErrorResult = null, JsonArray? Errors = null, long OutputRows = 3);

    /// <summary>A scripted fault: a status with an ErrorProto reason, or the connection dropped (after the request was handled when <paramref name="AfterHandling"/>).</summary>
    public sealed record Fault(int Status = 0, string? Reason = null, bool Drop = false, bool AfterHandling = false);

    private sealed class Job(string id, JsonObject resource, JobScript script)
    {
        public string Id { get; } = id;
        public JsonObject Resource { get; } = resource;
        public JobScript Script { get; } = script;
        public int Polls { get; set; }
    }

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly ConcurrentDictionary<string, Job> _jobs = new();
    private readonly ConcurrentDictionary<string, bool> _names = new();
    private readonly List<(string Method, string PathContains, Fault Fault)> _faults = [];

    private BigQueryStandIn(WebApplication app) => _app = app;

    /// <summary>The root to give BigQueryOptions.Endpoint, http://127.0.0.1:port/.</summary>
    public string Endpoint { get; private set; } = "";

    public IReadOnlyList<Request> Requests => _requests.ToList();

    /// <summary>How each new job runs (by its id and configuration). Default: one RUNNING poll, then DONE without errors.</summary>
    public Func<string, JsonNode, JobScript> Jobs { get; set; } = (_, _) => new JobScript();

    /// <summary>The rows jobs.query answers for a request (its body), as cell texts. Default: none.</summary>
    public Func<JsonNode, IReadOnlyList<string?[]>> Rows { get; set; } = _ => [];

    /// <summary>The jobs.insert requests received, in order.</summary>
    public IReadOnlyList<Request> JobInserts => Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/jobs")).ToList();

    /// <summary>Scripts <paramref name="faults"/> for the next requests with that method whose path contains <paramref name="pathContains"/>, in order.</summary>
    public void Fail(string method, string pathContains, params Fault[] faults)
    {
        lock (_faults) _faults.AddRange(faults.Select(f => (method, pathContains, f)));
    }

    /// <summary>A job that exists already, as another replica or an earlier attempt left it.</summary>
    public void AddJob(string jobId, JsonObject configuration, JobScript script) => _jobs[jobId] = NewJob(jobId, configuration, script);

    public static async Task<BigQueryStandIn> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var standIn = new BigQueryStandIn(app);
        app.Run(standIn.HandleAsync);
        await app.StartAsync();
        standIn.Endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";
        return standIn;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!path.StartsWith("/bigquery/v2/")) { context.Response.StatusCode = 404; return; }
        path = path["/bigquery/v2".Length..];
        JsonNode? body = null;
        using (var reader = new StreamReader(context.Request.Body))
        {
            var text = await reader.ReadToEndAsync();
            if (text.Length > 0) body = JsonNode.Parse(text);
        }
        var method = context.Request.Method;
        _requests.Enqueue(new Request(method, path, context.Request.Query, body?.DeepClone()));
        Fault? fault = null;
        lock (_faults)
        {
            var i = _faults.FindIndex(f => f.Method == method && path.Contains(f.PathContains));
            if (i >= 0) { fault = _faults[i].Fault; _faults.RemoveAt(i); }
        }
        if (fault is { Drop: true, AfterHandling: false }) { context.Abort(); return; }
        if (fault is { Status: > 0 }) { await ErrorAsync(context, fault.Status, fault.Reason ?? "backendError", "scripted fault"); return; }
        var (status, answer) = Answer(method, path, context.Request.Query, body);
        if (fault is { Drop: true }) { context.Abort(); return; }
        context.Response.StatusCode = status;
        if (answer is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer.ToJsonString());
        }
    }

    private (int, JsonNode?) Answer(string method, string path, IQueryCollection query, JsonNode? body)
    {
        var segments = path.Trim('/').Split('/');
        // /projects/{p}/jobs, /projects/{p}/jobs/{id}, /projects/{p}/queries, /projects/{p}/datasets, /projects/{p}/datasets/{d}/tables[/{t}]
        switch (method, segments.Length > 2 ? segments[2] : "")
        {
            case ("POST", "jobs"):
            {
                var id = body!["jobReference"]!["jobId"]!.GetValue<string>();
                var configuration = body["configuration"]!.AsObject();
                var job = NewJob(id, configuration, Jobs(id, configuration));
                if (!_jobs.TryAdd(id, job)) return Error(409, "duplicate", $"Already Exists: Job {segments[1]}:{Location}.{id}");
                return (200, job.Resource.DeepClone());
            }
            case ("GET", "jobs"):
            {
                if (!_jobs.TryGetValue(segments[3], out var job) || query["location"] != Location)
                    return Error(404, "notFound", $"Not found: Job {segments[1]}:{segments[3]}");
                lock (job)
                {
                    job.Polls++;
                    if (job.Polls > job.Script.RunningPolls) Finish(job);
                    return (200, job.Resource.DeepClone());
                }
            }
            case ("POST", "queries"):
            {
                var rows = new JsonArray(Rows(body!).Select(r => (JsonNode)new JsonObject
                    { ["f"] = new JsonArray(r.Select(v => (JsonNode)new JsonObject { ["v"] = v }).ToArray()) }).ToArray());
                return (200, new JsonObject
                {
                    ["kind"] = "bigquery#queryResponse", ["jobComplete"] = true, ["rows"] = rows,
                    ["jobReference"] = new JsonObject { ["projectId"] = segments[1], ["jobId"] = "query_" + Guid.NewGuid().ToString("N"), ["location"] = Location },
                    ["totalRows"] = rows.Count.ToString(),
                });
            }
            case ("POST", "datasets"):
            {
                var name = segments.Length == 3 ? body!["datasetReference"]!["datasetId"]!.GetValue<string>() : segments[3] + "." + body!["tableReference"]!["tableId"]!.GetValue<string>();
                return _names.TryAdd(name, true) ? (200, body!.DeepClone()) : Error(409, "duplicate", $"Already Exists: {name}");
            }
            case ("DELETE", "datasets"):
                return _names.TryRemove(segments[3] + "." + segments[5], out _) ? (204, null) : Error(404, "notFound", "Not found: Table");
            default:
                return Error(404, "notFound", $"the stand-in does not answer {method} {path}");
        }
    }

    private static Job NewJob(string id, JsonObject configuration, JobScript script) => new(id, new JsonObject
    {
        ["kind"] = "bigquery#job",
        ["jobReference"] = new JsonObject { ["jobId"] = id, ["location"] = Location },
        ["configuration"] = configuration.DeepClone(),
        ["status"] = new JsonObject { ["state"] = "RUNNING" },
    }, script);

    private static void Finish(Job job)
    {
        var status = new JsonObject { ["state"] = "DONE" };
        if (job.Script.ErrorResult is not null) status["errorResult"] = job.Script.ErrorResult.DeepClone();
        if (job.Script.Errors is not null) status["errors"] = job.Script.Errors.DeepClone();
        job.Resource["status"] = status;
        if (job.Resource["configuration"]!["load"] is not null && job.Script.ErrorResult is null)
            job.Resource["statistics"] = new JsonObject { ["load"] = new JsonObject { ["outputRows"] = job.Script.OutputRows.ToString() } };
    }

    private static (int, JsonNode?) Error(int status, string reason, string message) => (status, new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = status, ["message"] = message,
            ["errors"] = new JsonArray(new JsonObject { ["reason"] = reason, ["message"] = message }),
        },
    });

    private static async Task ErrorAsync(HttpContext context, int status, string reason, string message)
    {
        var (_, body) = Error(status, reason, message);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body!.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
