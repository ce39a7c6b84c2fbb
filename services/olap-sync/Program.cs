using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.OlapSync;

// olap-sync: every batch oltp-writer stores in MySQL is applied to the PostgreSQL star schema.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
var oltpConnection = builder.Configuration.GetConnectionString("oltp")
    ?? throw new InvalidOperationException("ConnectionStrings:oltp is not set.");
var oltpSource = new OltpSource(ServiceStore.MySql(oltpConnection));
builder.Services.AddSingleton(oltpSource);
builder.Services.AddSingleton<SalesBatchSync>();
builder.Services.AddSingleton<DayResync>();
builder.AddCoffeeMeshBus(bus =>
{
    bus.AddConsumer<SalesBatchStoredConsumer>(typeof(SalesBatchStoredConsumerDefinition));
    bus.AddConsumer<FactCountConsumer>(typeof(FactCountConsumerDefinition));
});
// After the bus: its hosted service has started (and declared its endpoints) before the outbox delivers.
builder.AddServiceStore("olap", StoreDialect.PostgreSql);
builder.Services.AddHealthChecks()
    .AddCheck<StoreHealthCheck>("postgresql")
    .AddCheck("mysql", new StoreHealthCheck(oltpSource.Store));

var app = builder.Build();
app.MapDefaultEndpoints();
// Do MySQL and the star schema agree? Per day: rows, quantity, amount on each side.
app.MapGet("/reconciliation", async (DateOnly from, DateOnly to, OltpSource oltp, ServiceStore store, CancellationToken ct) =>
    to < from || to.DayNumber - from.DayNumber >= Reconciliation.MaxDays
        ? Results.Problem($"'from' must not be after 'to', and the range is at most {Reconciliation.MaxDays} days", statusCode: StatusCodes.Status400BadRequest)
        : Results.Json(await Reconciliation.LoadAsync(oltp, store, from, to, ct)));
// The repair of a day that disagrees: its facts rebuilt from MySQL.
app.MapPost("/reconciliation/days/{day}/resync", async (string day, DayResync resync, CancellationToken ct) =>
    DateOnly.TryParseExact(day, "yyyy-MM-dd", out var d)
        ? Results.Ok(new { day, facts = await resync.ResyncAsync(d, ct) })
        : Results.Problem("day must be yyyy-MM-dd", statusCode: StatusCodes.Status400BadRequest));

await app.Services.MigrateAsync(OlapSchema.Migrations, app.Lifetime.ApplicationStopping);
app.Run();
