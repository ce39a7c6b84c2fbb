using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

// Shared by every CoffeeMesh service: OpenTelemetry, health checks, service discovery, resilience.
public static class Extensions
{
    // MassTransit's ActivitySource and Meter are both named "MassTransit"; ours are "CoffeeMesh";
    // the database clients' are named after them (their connection pools' metrics, their commands' spans).
    private static readonly string[] Sources = ["MassTransit", "CoffeeMesh", .. ParentlessDatabaseSpans.Sources];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddDefaultLogLevels();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        if (string.Equals(builder.Configuration["CoffeeMesh:ExitWithParent"], "true", StringComparison.OrdinalIgnoreCase))
            builder.Services.AddHostedService<ExitWithParent>();
        return builder;
    }

    /// <summary>
    /// ASP.NET Core, HttpClient and Polly log every request at Information: a status page polled a
    /// few times a second flooded the console, the Aspire dashboard and the OTLP exporter. They log at Warning here. These are the lowest-precedence settings,
    /// so appsettings or an environment variable (Logging__LogLevel__Microsoft.AspNetCore=Information) still win.
    /// </summary>
    public static TBuilder AddDefaultLogLevels<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
                ["Logging:LogLevel:Polly"] = "Warning",
            },
        });
        return builder;
    }

    /// <summary>
    /// Logs (with their scopes), metrics and traces to OpenTelemetry, exported over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set: ASP.NET Core and HttpClient, MassTransit, our own
    /// CoffeeMesh instruments, and the MySQL and PostgreSQL clients' commands (inside a trace only:
    /// <see cref="ParentlessDatabaseSpans"/>).
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(Sources))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(Sources)
                .AddAspNetCoreInstrumentation(o =>
                    // Health probes would drown the traces that matter.
                    o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health") && !ctx.Request.Path.StartsWithSegments("/alive"))
                .AddHttpClientInstrumentation()
                .AddProcessor(new ParentlessDatabaseSpans()));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>/health: every check (including the bus and the service's database); /alive: the process.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        return app;
    }
}
