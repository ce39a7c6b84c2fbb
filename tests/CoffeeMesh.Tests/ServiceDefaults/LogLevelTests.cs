using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CoffeeMesh.Tests.ServiceDefaults;

public sealed class LogLevelTests
{
    private static ILoggerFactory Loggers(Action<HostApplicationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddDefaultLogLevels();
        configure?.Invoke(builder);
        return builder.Build().Services.GetRequiredService<ILoggerFactory>();
    }

    [Fact]
    public void Services_log_each_http_request_only_at_warning_and_their_own_work_at_information()
    {
        var loggers = Loggers();

        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("System.Net.Http.HttpClient.oltp-writer.LogicalHandler").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Polly").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("CoffeeMesh.Ingest.Ingestions.IngestionRunner").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void Configuration_can_still_turn_request_logging_back_on()
    {
        var loggers = Loggers(b => b.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] = "Information");

        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
    }
}
