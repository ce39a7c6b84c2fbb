using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;

/// <summary>Registration of the BigQuery warehouse.</summary>
public static class BigQueryServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="BigQueryWarehouse"/> as the <see cref="IWarehouse"/> (a singleton): <see cref="BigQueryOptions"/>
    /// bound from <paramref name="configuration"/>'s section <c>Warehouse:BigQuery</c> and validated at start, and an
    /// HttpClient of its own that carries Application Default Credentials when the endpoint is Google's
    /// (<see cref="BigQueryOptions.CredentialsNeeded"/>).
    /// </summary>
    public static IServiceCollection AddBigQueryWarehouse(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BigQueryOptions>().Bind(configuration.GetSection(BigQueryOptions.Section))
            .Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BigQueryOptions>>().Value;
            // Not from IHttpClientFactory: ServiceDefaults gives those clients the standard resilience handler, whose
            // retries would double the warehouse's own (same job id, 403 rateLimitExceeded, job-level retries) and whose
            // 10 s attempt timeout would cut jobs.query's long polls; removing it is an experimental API (EXTEXP0001).
            var http = new HttpClient(new GoogleAccessTokenHandler(options)
            {
                InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
            }) { Timeout = options.RequestTimeout };
            return new BigQueryWarehouse(http, options, sp.GetRequiredService<ILogger<BigQueryWarehouse>>(), sp.GetService<TimeProvider>());
        });
        services.AddSingleton<IWarehouse>(sp => sp.GetRequiredService<BigQueryWarehouse>());
        return services;
    }
}
