using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace CoffeeMesh.Dashboard;

/// <summary>Healthy when the star schema answers and has the aggregate the page reads (olap-sync's migration 7).</summary>
public sealed class StarSchemaHealthCheck(NpgsqlDataSource olap) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var cmd = olap.CreateCommand("SELECT to_regclass('sales_hourly') IS NOT NULL");
            return await cmd.ExecuteScalarAsync(ct) is true
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("sales_hourly does not exist yet (olap-sync creates it)");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL did not answer", e);
        }
    }
}
