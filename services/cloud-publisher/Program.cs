using CoffeeMesh.CloudPublisher;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Storage;
using Google.Cloud.Storage.V1;
using Microsoft.Extensions.Options;

// cloud-publisher: every batch olap-sync has synced becomes processed CSV objects in a GCS bucket
// (the emulator when CloudPublisher:GcsUrl is set, else real GCS with Application Default Credentials).
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
var oltpConnection = builder.Configuration.GetConnectionString("oltp")
    ?? throw new InvalidOperationException("ConnectionStrings:oltp is not set.");
var batchRows = new BatchRows(ServiceStore.MySql(oltpConnection));
builder.Services.AddSingleton(batchRows);
builder.Services.AddOptions<CloudPublisherOptions>().Bind(builder.Configuration.GetSection("CloudPublisher"))
    .Validate(o => { o.Validate(); return true; }).ValidateOnStart();
builder.Services.AddSingleton(sp =>
{
    var o = sp.GetRequiredService<IOptions<CloudPublisherOptions>>().Value;
    // No credentials for an emulator; Application Default Credentials (no secret in configuration) for GCS.
    return o.GcsUrl is { } url
        ? new StorageClientBuilder { BaseUri = url, UnauthenticatedAccess = true }.Build()
        : StorageClient.Create();
});
builder.Services.AddSingleton<ProcessedObjects>();
builder.AddCoffeeMeshBus(bus => bus.AddConsumer<SalesBatchSyncedConsumer>(typeof(SalesBatchSyncedConsumerDefinition)));
builder.Services.AddHealthChecks().AddCheck("mysql", new StoreHealthCheck(batchRows.Store));

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
