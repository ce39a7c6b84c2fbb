using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CoffeeMesh.Tests.ServiceDefaults;

/// <summary>
/// An OTLP endpoint in the test process that services export to. It speaks OTLP/gRPC (HTTP/2
/// without TLS), the protocol the AppHost gives its services when ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL
/// names it (the testing builder sets that key, and it wins over the HTTP one), and OTLP/HTTP
/// protobuf at /v1/* on the same HTTP/2 port. It keeps what a test asks about: each span's trace,
/// ids, name, service and attributes, and each metric's number and histogram points with their
/// attributes. Only the fields read here are decoded, by their field numbers in opentelemetry-proto
/// (trace/v1, metrics/v1, common/v1, resource/v1).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    public sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name, string Service, string Scope,
        IReadOnlyDictionary<string, string> Attributes);

    /// <summary>A metric's point as exported: cumulative (the SDK's default), so the last one per instance and attributes is the total.</summary>
    public sealed record Point(string Service, string Instance, string Metric, IReadOnlyDictionary<string, string> Attributes, double Value, long Count,
        ulong TimeUnixNano);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Span> _spans = new();
    private readonly ConcurrentQueue<Point> _points = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base address, http://127.0.0.1:port (HTTP/2 only).</summary>
    public string Endpoint { get; private set; } = "";

    public IReadOnlyList<Span> Spans => _spans.ToList();
    public IReadOnlyList<Point> Points => _points.ToList();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            // A batch of spans from a busy service is a few megabytes at most.
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2);
        });
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", async context => await GrpcAsync(context, receiver.ReadTraces));
        app.MapPost("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", async context => await GrpcAsync(context, receiver.ReadMetrics));
        app.MapPost("/opentelemetry.proto.collector.logs.v1.LogsService/Export", async context => await GrpcAsync(context, _ => { }));
        app.MapPost("/v1/traces", async (HttpRequest request) => { receiver.ReadTraces(await BodyAsync(request)); return Results.Ok(); });
        app.MapPost("/v1/metrics", async (HttpRequest request) => { receiver.ReadMetrics(await BodyAsync(request)); return Results.Ok(); });
        app.MapPost("/v1/logs", () => Results.Ok());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Endpoint = address.TrimEnd('/');
        return receiver;
    }

    /// <summary>
    /// A unary gRPC call: the request is one length-prefixed message (a compressed flag byte, then a
    /// 4-byte big-endian length); the answer an empty Export*ServiceResponse and grpc-status 0.
    /// </summary>
    private static async Task GrpcAsync(HttpContext context, Action<byte[]> read)
    {
        var body = await BodyAsync(context.Request);
        if (body.Length < 5 || body[0] != 0) throw new InvalidDataException("a gRPC request of one uncompressed message was expected");
        read(body[5..(5 + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(1, 4)))]);
        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(new byte[5]);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    private static async Task<byte[]> BodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }
    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2 }
    // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2 }
    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; repeated KeyValue attributes = 9 }
    private void ReadTraces(byte[] body)
    {
        foreach (var resourceSpans in Repeated(body, 1))
        {
            var resource = Resource(resourceSpans);
            foreach (var scopeSpans in Repeated(resourceSpans, 2))
            {
                var scope = Fields(scopeSpans).Where(f => f.Number == 1).Select(f => ScopeName(f.Bytes!)).FirstOrDefault() ?? "";
                foreach (var span in Repeated(scopeSpans, 2))
                {
                    string traceId = "", spanId = "", parent = "", name = "";
                    var attributes = new Dictionary<string, string>();
                    foreach (var f in Fields(span))
                    {
                        switch (f.Number)
                        {
                            case 1: traceId = Convert.ToHexStringLower(f.Bytes!); break;
                            case 2: spanId = Convert.ToHexStringLower(f.Bytes!); break;
                            case 4: parent = Convert.ToHexStringLower(f.Bytes!); break;
                            case 5: name = System.Text.Encoding.UTF8.GetString(f.Bytes!); break;
                            case 9: AddAttribute(attributes, f.Bytes!); break;
                        }
                    }
                    _spans.Enqueue(new Span(traceId, spanId, parent, name, resource.GetValueOrDefault("service.name", ""), scope, attributes));
                }
            }
        }
    }

    // ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1 }
    // ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2 }
    // ScopeMetrics { scope = 1; repeated Metric metrics = 2 }
    // Metric { string name = 1; Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9 }, each { repeated points = 1 }
    // NumberDataPoint { fixed64 time_unix_nano = 3; double as_double = 4; sfixed64 as_int = 6; repeated KeyValue attributes = 7 }
    // HistogramDataPoint { fixed64 time_unix_nano = 3; fixed64 count = 4; double sum = 5; repeated KeyValue attributes = 9 }
    private void ReadMetrics(byte[] body)
    {
        foreach (var resourceMetrics in Repeated(body, 1))
        {
            var resource = Resource(resourceMetrics);
            var service = resource.GetValueOrDefault("service.name", "");
            var instance = resource.GetValueOrDefault("service.instance.id", "");
            foreach (var scopeMetrics in Repeated(resourceMetrics, 2))
            foreach (var metric in Repeated(scopeMetrics, 2))
            {
                var name = "";
                foreach (var f in Fields(metric))
                {
                    if (f.Number == 1) name = System.Text.Encoding.UTF8.GetString(f.Bytes!);
                    else if (f.Number is 5 or 7 or 9)
                        foreach (var point in Repeated(f.Bytes!, 1))
                            _points.Enqueue(ReadPoint(service, instance, name, point, histogram: f.Number == 9));
                }
            }
        }
    }

    private static Point ReadPoint(string service, string instance, string metric, byte[] point, bool histogram)
    {
        var attributes = new Dictionary<string, string>();
        double value = 0;
        long count = 0;
        ulong time = 0;
        var input = new CodedInputStream(point);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            if (number == 3) time = input.ReadFixed64();
            else if (histogram && number == 4) count = (long)input.ReadFixed64();
            else if (histogram && number == 5) value = input.ReadDouble();
            else if (histogram && number == 9) AddAttribute(attributes, input.ReadBytes().ToByteArray());
            else if (!histogram && number == 4) value = input.ReadDouble();
            else if (!histogram && number == 6) value = input.ReadSFixed64();
            else if (!histogram && number == 7) AddAttribute(attributes, input.ReadBytes().ToByteArray());
            else input.SkipLastField();
        }
        return new Point(service, instance, metric, attributes, value, count, time);
    }

    // Resource { repeated KeyValue attributes = 1 }
    private static Dictionary<string, string> Resource(byte[] container)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var resource in Repeated(container, 1))
        foreach (var kv in Repeated(resource, 1))
            AddAttribute(attributes, kv);
        return attributes;
    }

    // InstrumentationScope { string name = 1 }
    private static string ScopeName(byte[] scope) =>
        Fields(scope).Where(f => f.Number == 1).Select(f => System.Text.Encoding.UTF8.GetString(f.Bytes!)).FirstOrDefault() ?? "";

    // KeyValue { string key = 1; AnyValue value = 2 }; AnyValue { string_value = 1; bool_value = 2; int_value = 3; double_value = 4 }
    private static void AddAttribute(Dictionary<string, string> attributes, byte[] keyValue)
    {
        string? key = null, value = null;
        var input = new CodedInputStream(keyValue);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1) key = input.ReadString();
            else if (WireFormat.GetTagFieldNumber(tag) == 2)
            {
                var any = new CodedInputStream(input.ReadBytes().ToByteArray());
                for (uint t; (t = any.ReadTag()) != 0;)
                {
                    value = WireFormat.GetTagFieldNumber(t) switch
                    {
                        1 => any.ReadString(),
                        2 => any.ReadBool().ToString(),
                        3 => any.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
                        4 => any.ReadDouble().ToString(System.Globalization.CultureInfo.InvariantCulture),
                        _ => Skip(any),
                    };
                }
            }
            else input.SkipLastField();
        }
        if (key is not null) attributes[key] = value ?? "";
    }

    private static string? Skip(CodedInputStream input)
    {
        input.SkipLastField();
        return null;
    }

    /// <summary>The length-delimited fields numbered <paramref name="number"/> (embedded messages), as bytes.</summary>
    private static IEnumerable<byte[]> Repeated(byte[] message, int number) =>
        Fields(message).Where(f => f.Number == number && f.Bytes is not null).Select(f => f.Bytes!);

    /// <summary>A message's fields in order: the bytes of length-delimited ones, the others skipped.</summary>
    private static List<(int Number, byte[]? Bytes)> Fields(byte[] message)
    {
        var fields = new List<(int, byte[]?)>();
        var input = new CodedInputStream(message);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                fields.Add((WireFormat.GetTagFieldNumber(tag), input.ReadBytes().ToByteArray()));
            else
            {
                fields.Add((WireFormat.GetTagFieldNumber(tag), null));
                input.SkipLastField();
            }
        }
        return fields;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
