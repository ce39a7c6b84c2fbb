using CoffeeMesh.Contracts;
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
builder.Services.AddSingleton<BucketDays>();
builder.AddCoffeeMeshBus(bus => bus.AddConsumer<SalesBatchSyncedConsumer>(typeof(SalesBatchSyncedConsumerDefinition)));
builder.Services.AddHealthChecks().AddCheck("mysql", new StoreHealthCheck(batchRows.Store));

var app = builder.Build();
app.MapDefaultEndpoints();
// Reconciliation: the bucket's totals per day, and the repair of a day whose objects disagree with MySQL.
app.MapGet("/days", async (string? from, string? to, BucketDays days, CancellationToken ct) =>
{
    if (!DayRange.TryParse(from, to, BucketDays.MaxDays, out var f, out var t, out var problem))
        return Results.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
    return Results.Ok((await days.TotalsAsync(f, t, ct)).Select(d => new { day = d.Day.ToString("yyyy-MM-dd"), rows = d.Rows, quantity = d.Quantity, amount = d.Amount }));
});
app.MapPost("/days/{day}/republish", async (string day, BucketDays days, CancellationToken ct) =>
    DateOnly.TryParseExact(day, "yyyy-MM-dd", out var d)
        ? Results.Ok(new { day, rows = await days.RepublishAsync(d, ct) })
        : Results.Problem("day must be yyyy-MM-dd", statusCode: StatusCodes.Status400BadRequest));
app.Run();
