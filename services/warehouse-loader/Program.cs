using CoffeeMesh.Messaging;
using CoffeeMesh.WarehouseLoader;
using CoffeeMesh.WarehouseLoader.Warehouse;
using CoffeeMesh.WarehouseLoader.Warehouse.BigQuery;
using Google.Cloud.Storage.V1;
using Microsoft.Extensions.Options;

// warehouse-loader: the old Cloud Run function, without its faults. Each object-finalized CloudEvent for a
// processed object loads that object into the warehouse's star schema, once per generation (docs/warehouse.md).
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddOptions<WarehouseLoaderOptions>().Bind(builder.Configuration.GetSection("Warehouse"))
    .Validate(o => { o.Validate(); return true; }).ValidateOnStart();
var options = builder.Configuration.GetSection("Warehouse").Get<WarehouseLoaderOptions>() ?? new WarehouseLoaderOptions();
builder.Services.AddSingleton(sp =>
{
    var o = sp.GetRequiredService<IOptions<WarehouseLoaderOptions>>().Value;
    // No credentials for an emulator; Application Default Credentials (no secret in configuration) for GCS.
    return o.GcsUrl is { } url ? new StorageClientBuilder { BaseUri = url, UnauthenticatedAccess = true }.Build() : StorageClient.Create();
});
if (options.Target == "duckdb")
    builder.Services.AddSingleton<IWarehouse>(sp => new DuckDbWarehouse(options.DuckDbPath, sp.GetRequiredService<ILogger<DuckDbWarehouse>>()));
else
    // BigQuery through its REST API (docs/bigquery.md), settings in Warehouse:BigQuery.
    builder.Services.AddBigQueryWarehouse(builder.Configuration);
builder.Services.AddSingleton<ObjectLoader>();
builder.Services.AddSingleton<DayReload>();
builder.AddCoffeeMeshBus(bus => bus.AddConsumer<WarehouseCountConsumer>(typeof(WarehouseCountConsumerDefinition)));

var app = builder.Build();
await app.Services.GetRequiredService<IWarehouse>().EnsureSchemaAsync(app.Lifetime.ApplicationStopping);
app.MapDefaultEndpoints();
FinalizedEventEndpoint.Map(app);
WarehouseDaysEndpoint.Map(app);
app.Run();
