using System.Text.Json.Nodes;
using CoffeeMesh.Tests.Infrastructure;
using CoffeeMesh.Tests.ServiceDefaults;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>
/// One ingestion is one trace across the services' processes, and the CoffeeMesh metrics count
/// it stage by stage. A mesh of its own exports over OTLP to a receiver in the test process
/// (the shared mesh exports nowhere in particular); one ingestion of 5,000 rows (5 batches) is
/// made once, and each test reads what the services exported about it.
/// </summary>
public sealed class TraceTests(TraceTests.TracedMesh traced, ITestOutputHelper output) : IClassFixture<TraceTests.TracedMesh>
{
    private static readonly string[] Stages = ["ingest", "transform", "oltp-writer", "olap-sync"];

    [Fact]
    public async Task One_trace_links_the_request_and_every_batch_through_every_service()
    {
        var (id, status) = await traced.IngestOnceAsync();
        var batches = status["batches"]!.GetValue<int>();
        var trace = await WaitForAsync(() =>
        {
            var spans = traced.Receiver.Spans;
            var traceIds = spans.Where(s => s.Attributes.GetValueOrDefault("coffeemesh.ingestion_id") == id.ToString()).Select(s => s.TraceId).Distinct().ToList();
            if (traceIds.Count != 1) return null;
            var inTrace = spans.Where(s => s.TraceId == traceIds[0]).ToList();
            // The last spans of a batch: its synced event published by olap-sync's outbox.
            return inTrace.Count(s => s.Service == "olap-sync" && s.Name == "outbox deliver") == batches ? inTrace : null;
        }, "every batch's synced event published, in the ingestion's one trace");

        foreach (var (name, count) in trace.GroupBy(s => $"{s.Service}: {s.Scope}: {s.Name}").OrderBy(g => g.Key).Select(g => (g.Key, g.Count())))
            output.WriteLine($"{count,5}  {name}");
        output.WriteLine($"{trace.Count,5}  spans in the trace of {status["rows_read"]} rows in {batches} batches");
        foreach (var (statement, count) in trace.Where(s => s.Scope is "MySqlConnector" or "Npgsql")
                     .GroupBy(s => $"{s.Service}: {s.Attributes.GetValueOrDefault("db.query.text") ?? s.Attributes.GetValueOrDefault("db.statement") ?? s.Name}"
                         .ReplaceLineEndings(" ") is var text && text.Length > 110 ? text[..110] : text)
                     .OrderByDescending(g => g.Count()).Take(12).Select(g => (g.Key, g.Count())))
            output.WriteLine($"{count,5}  {statement}");

        var root = Assert.Single(trace, s => s.ParentSpanId == "");
        Assert.Equal("ingest", root.Service);
        Assert.StartsWith("POST", root.Name);
        Assert.All(Stages, stage => Assert.Contains(trace, s => s.Service == stage));
        // Every batch in every stage that stores it, and each stage's consumption of it.
        for (var sequence = 0; sequence < batches; sequence++)
        {
            var seq = sequence.ToString();
            Assert.Contains(trace, s => s.Name == "oltp-writer store batch" && s.Attributes.GetValueOrDefault("coffeemesh.sequence") == seq);
            Assert.Contains(trace, s => s.Name == "olap-sync sync batch" && s.Attributes.GetValueOrDefault("coffeemesh.sequence") == seq);
        }
        // At least once: a request or batch delivered again (the outbox retries a publish that outlasted its limit) is in the trace too.
        Assert.True(trace.Count(s => s.Service == "transform" && s.Name.EndsWith(" process")) >= batches);
        // The outbox's publishing continues the trace (no trace of its own per delivery round).
        Assert.Contains(trace, s => s.Service == "oltp-writer" && s.Name == "outbox deliver");
        Assert.Contains(trace, s => s.Service == "olap-sync" && s.Name == "outbox deliver");
        // Database spans, from both clients, inside the trace.
        Assert.Contains(trace, s => s.Scope == "MySqlConnector" && s.Service == "oltp-writer");
        Assert.Contains(trace, s => s.Scope == "Npgsql" && s.Service == "olap-sync");
        // No parentless database span reaches the exporter (the outbox's polling, health checks).
        Assert.DoesNotContain(traced.Receiver.Spans, s => s.ParentSpanId == "" && s.Scope is "MySqlConnector" or "Npgsql");
    }

    [Fact]
    public async Task Each_warehouse_load_joins_the_ingestions_trace_over_the_finalize_events_HTTP_hop()
    {
        var (id, status) = await traced.IngestOnceAsync();
        var batches = status["batches"]!.GetValue<int>();
        var loads = await WaitForAsync(() =>
        {
            var spans = traced.Receiver.Spans.Where(s => s.Attributes.GetValueOrDefault("coffeemesh.ingestion_id") == id.ToString()).ToList();
            var loaded = spans.Where(s => s.Service == "warehouse-loader" && s.Name == "warehouse-loader load object").ToList();
            return loaded.Select(s => s.Attributes.GetValueOrDefault("coffeemesh.sequence")).Distinct().Count() == batches ? spans : null;
        }, "a warehouse-loader span for every batch");

        // The loads are in the ingestion's one trace, under the HTTP request the emulator sent with the uploader's traceparent.
        Assert.Single(loads.Select(s => s.TraceId).Distinct());
        var loaderRequests = traced.Receiver.Spans.Where(s => s.Service == "warehouse-loader" && s.Name.StartsWith("POST") && s.TraceId == loads[0].TraceId).ToList();
        Assert.NotEmpty(loaderRequests);
        Assert.All(loaderRequests, r => Assert.NotEqual("", r.ParentSpanId));
    }

    [Fact]
    public async Task Every_stage_counts_the_ingestions_rows_and_batches_on_the_CoffeeMesh_meter()
    {
        var (_, status) = await traced.IngestOnceAsync();
        var batches = status["batches"]!.GetValue<int>();
        var rows = status["rows_read"]!.GetValue<long>();
        await WaitForAsync(() => Total("coffeemesh.ingestion.landing_to_star_schema") is { Count: var n } && n == batches ? "" : null,
            "the landing-to-star-schema time of every batch");

        // ingest and transform count the work they did, a batch delivered twice (at least once) twice;
        // the stores count what they stored, a duplicate dropped by their inbox not at all.
        Assert.True(Total("coffeemesh.stage.rows_out", "ingest").Value >= rows);
        Assert.True(Total("coffeemesh.stage.rows_in", "transform").Value >= rows);
        Assert.True(Total("coffeemesh.stage.rows_quarantined", "transform").Value >= status["quarantined"]!.GetValue<long>());
        Assert.Equal(status["stored_oltp"]!.GetValue<long>(), Total("coffeemesh.stage.rows_out", "oltp-writer").Value);
        Assert.Equal(status["synced_olap"]!.GetValue<long>(), Total("coffeemesh.stage.rows_out", "olap-sync").Value);
        Assert.All(["ingest", "transform"], stage => Assert.True(Total("coffeemesh.stage.batch_duration", stage).Count >= batches));
        Assert.All(["oltp-writer", "olap-sync"], stage => Assert.Equal(batches, Total("coffeemesh.stage.batch_duration", stage).Count));
        Assert.True(Total("coffeemesh.consumer.lag", messageType: "CleanSalesBatch").Count >= batches);
        Assert.True(Total("coffeemesh.consumer.lag", messageType: "SalesBatchStored").Count >= batches);
    }

    /// <summary>A metric's total over the services' instances: the last cumulative point of each (sum, or histogram count).</summary>
    private (double Value, long Count) Total(string metric, string? stage = null, string? messageType = null)
    {
        var latest = traced.Receiver.Points
            .Where(p => p.Metric == metric
                        && (stage is null || p.Attributes.GetValueOrDefault("stage") == stage)
                        && (messageType is null || p.Attributes.GetValueOrDefault("message_type") == messageType))
            .GroupBy(p => (p.Instance, string.Join(",", p.Attributes.OrderBy(a => a.Key).Select(a => $"{a.Key}={a.Value}"))))
            .Select(g => g.MaxBy(p => p.TimeUnixNano)!)
            .ToList();
        return (latest.Sum(p => p.Value), latest.Sum(p => p.Count));
    }

    private async Task<T> WaitForAsync<T>(Func<T?> probe, string what) where T : class
    {
        // The services export every second in Development (the AppHost's OTLP settings), every 5 s otherwise.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (probe() is { } found) return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not exported within 90 s: {what}; received {traced.Receiver.Spans.Count} spans from " +
                                           $"[{string.Join(", ", traced.Receiver.Spans.Select(s => s.Service).Distinct())}], {traced.Receiver.Points.Count} metric points");
            await Task.Delay(500);
        }
    }

    /// <summary>A mesh of its own whose services export to an <see cref="OtlpReceiver"/>, and the one ingestion the tests read.</summary>
    public sealed class TracedMesh : IAsyncLifetime
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private (Guid, JsonObject)? _ingestion;

        public OtlpReceiver Receiver { get; private set; } = null!;
        public MeshFixture Mesh { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Receiver = await OtlpReceiver.StartAsync();
            // Without a dashboard the AppHost gives each service OTEL_EXPORTER_OTLP_ENDPOINT from this setting (protocol grpc).
            Mesh = new MeshFixture("trace", watchIncoming: false,
            [
                $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL={Receiver.Endpoint}",
                // One process per service: a trace across replicas is no different, and the mesh starts sooner.
                "--CoffeeMesh:Replicas:oltp-writer=1", "--CoffeeMesh:Replicas:olap-sync=1",
            ]);
            await Mesh.StartAsync();
        }

        /// <summary>Ingests 5,000 generated rows through POST /ingestions, once for the class.</summary>
        public async Task<(Guid Id, JsonObject Status)> IngestOnceAsync()
        {
            await _gate.WaitAsync();
            try
            {
                if (_ingestion is { } done) return done;
                var source = Mesh.WriteGeneratedFile("traced.csv", 5_000, new DateOnly(2024, 9, 1), seed: 91);
                var id = await Mesh.RequestAsync(source);
                var status = await Mesh.WaitAsync(id);
                Assert.True(status["state"]!.GetValue<string>() == "completed", status.ToJsonString());
                _ingestion = (id, status);
                return (id, status);
            }
            finally { _gate.Release(); }
        }

        public async ValueTask DisposeAsync()
        {
            await Mesh.DisposeAsync();
            await Receiver.DisposeAsync();
        }
    }
}
