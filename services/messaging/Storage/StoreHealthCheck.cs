using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CoffeeMesh.Messaging.Storage;

/// <summary>/health is unhealthy while the service's own database does not answer.</summary>
public sealed class StoreHealthCheck(ServiceStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await store.OpenAsync(ct);
            await connection.Command("SELECT 1").ExecuteScalarAsync(ct);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"{store.Dialect} store unreachable", e);
        }
    }
}
