using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CoffeeMesh.Messaging.Storage;

public static class MigrationStartup
{
    /// <summary>
    /// Applies the service's migrations before anything consumes a message. A database that is
    /// still starting is waited for (up to two minutes), not treated as fatal.
    /// </summary>
    public static async Task MigrateAsync(this IServiceProvider services, IReadOnlyList<Migration> migrations, CancellationToken ct)
    {
        var store = services.GetRequiredService<ServiceStore>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("CoffeeMesh.Migrations");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Migrations.ApplyAsync(store, migrations, logger, ct);
                return;
            }
            catch (Exception e) when (DateTime.UtcNow < deadline && e is not OperationCanceledException)
            {
                logger.LogWarning("Database not ready for migrations (attempt {Attempt}): {Error}", attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, attempt)), ct);
            }
        }
    }
}
