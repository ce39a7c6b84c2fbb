using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CoffeeMesh.OlapSync;

/// <summary>/health is unhealthy while the MySQL database olap-sync reads from does not answer.</summary>
public sealed class OltpHealthCheck(OltpSource oltp) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var c = await oltp.OpenAsync(ct);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("MySQL (oltp) unreachable", e);
        }
    }
}
