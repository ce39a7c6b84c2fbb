using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.OltpWriter;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddSingleton<SalesBatchWriter>();
builder.AddCoffeeMeshBus(bus =>
{
    bus.AddConsumer<CleanSalesBatchConsumer>(typeof(CleanSalesBatchConsumerDefinition));
    bus.AddConsumer<SalesCountConsumer>(typeof(SalesCountConsumerDefinition));
});
// After the bus: its hosted service has started (and declared its endpoints) before the outbox delivers.
builder.AddServiceStore("oltp", StoreDialect.MySql);
builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("mysql");

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGet("/ingestions/{id:guid}/quarantine", async (Guid id, int? limit, ServiceStore store, CancellationToken ct) =>
    Results.Json(await QuarantineEntry.ListAsync(store, id, Math.Clamp(limit ?? 100, 1, 10_000), ct)));

await app.Services.MigrateAsync(OltpSchema.Migrations, app.Lifetime.ApplicationStopping);
app.Run();
