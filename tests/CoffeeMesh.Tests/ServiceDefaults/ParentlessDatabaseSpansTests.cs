using System.Diagnostics;
using CoffeeMesh.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using MySqlConnector;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace CoffeeMesh.Tests.ServiceDefaults;

public sealed class ParentlessDatabaseSpansTests
{
    [Fact]
    public async Task A_database_command_inside_a_trace_is_exported_and_one_outside_any_trace_is_not()
    {
        using var source = new ActivitySource("CoffeeMesh.Tests.Database");
        var exported = new List<Activity>();
        using (Sdk.CreateTracerProviderBuilder()
                   .AddSource(source.Name).AddSource(ParentlessDatabaseSpans.Sources)
                   .AddProcessor(new ParentlessDatabaseSpans())
                   .AddInMemoryExporter(exported)
                   .Build())
        {
            var connectionString = TestEnvironment.Get("ConnectionStrings__oltp");
            async Task Select(string sql)
            {
                await using var c = new MySqlConnection(connectionString);
                await c.OpenAsync();
                await using var command = new MySqlCommand(sql, c);
                await command.ExecuteScalarAsync();
            }

            Activity.Current = null;
            await Select("SELECT 'outside any trace'");
            ActivitySpanId parent;
            using (var work = source.StartActivity("a unit of work"))
            {
                parent = work!.SpanId;
                await Select("SELECT 'inside a trace'");
            }

            lock (exported)
            {
                // The exporter listens to the whole process: other tests' commands are judged by the same rule.
                Assert.Contains(exported, a => a.Source.Name == "MySqlConnector" && a.ParentSpanId == parent);
                Assert.DoesNotContain(exported, a => a.Source.Name == "MySqlConnector" && a.ParentSpanId == default);
            }
        }
    }
}
