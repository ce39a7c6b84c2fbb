using CoffeeMesh.Contracts;
using CoffeeMesh.Ingest;
using CoffeeMesh.Ingest.Api;
using CoffeeMesh.Ingest.Failures;
using CoffeeMesh.Ingest.Ingestions;
using CoffeeMesh.Ingest.Ledger;
using CoffeeMesh.Ingest.Reconciliation;
using CoffeeMesh.Ingest.Reading;
using CoffeeMesh.Ingest.Scheduling;
using CoffeeMesh.Messaging;
using CoffeeMesh.Messaging.Storage;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddOptions<IngestOptions>().Bind(builder.Configuration.GetSection("Ingest"))
    .Configure(o => { if (builder.Configuration.GetValue<DateOrder?>("Cleaning:DateOrder") is { } order) o.DefaultDateOrder = order; })
    .ValidateOnStart();
builder.Services.AddSingleton<IValidateOptions<IngestOptions>, IngestOptionsValidator>();
builder.Services.AddSingleton<LandingFolder>();
builder.Services.AddSingleton<IngestionStore>();
builder.Services.AddSingleton<IngestionRunner>();
builder.Services.AddSingleton<IngestionStatusView>();
builder.Services.AddSingleton<LandingScan>();
builder.Services.AddSingleton<LandingFiles>();
builder.Services.AddHostedService<LandingScheduler>();
builder.Services.AddSingleton<IngestionLedger>();
builder.Services.AddSingleton<LedgerSignal>();
builder.Services.AddHostedService<LedgerRecount>();
builder.Services.AddSingleton<StageFailures>();
builder.Services.AddSingleton<DeadLetters>();
builder.Services.AddSingleton<StoreReconciler>();
builder.AddCoffeeMeshBus(bus =>
{
    bus.AddConsumer<IngestionRequestedConsumer>(typeof(IngestionRequestedConsumerDefinition));
    bus.AddConsumer<StageFaultConsumer>(typeof(StageFaultConsumerDefinition));
    // The ingestion ledger: each stage's report of each batch, and the stores' counts.
    bus.AddConsumer<BatchCleanedLedgerConsumer>(typeof(BatchCleanedLedgerConsumerDefinition));
    bus.AddConsumer<BatchStoredLedgerConsumer>(typeof(BatchStoredLedgerConsumerDefinition));
    bus.AddConsumer<BatchSyncedLedgerConsumer>(typeof(BatchSyncedLedgerConsumerDefinition));
    bus.AddConsumer<BatchPublishedLedgerConsumer>(typeof(BatchPublishedLedgerConsumerDefinition));
    bus.AddConsumer<ObjectLoadedLedgerConsumer>(typeof(ObjectLoadedLedgerConsumerDefinition));
    bus.AddConsumer<IngestionCountedLedgerConsumer>(typeof(IngestionCountedLedgerConsumerDefinition));
});
// After the bus: its hosted service has started (and declared its endpoints) before the outbox delivers.
builder.AddServiceStore("ingestdb", StoreDialect.MySql);
builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("mysql");

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapIngestionEndpoints();
// The four stores compared day by day (MySQL the reference), and the repair of the days that disagree.
app.MapGet("/reconciliation", async (string? from, string? to, StoreReconciler reconciler, CancellationToken ct) =>
    DayRange.TryParse(from, to, StoreReconciler.MaxDays, out var f, out var t, out var problem)
        ? Results.Json(await reconciler.CompareAsync(f, t, ct))
        : Results.Problem(problem, statusCode: StatusCodes.Status400BadRequest));
app.MapPost("/reconciliation/repair", async (string? from, string? to, StoreReconciler reconciler, CancellationToken ct) =>
{
    if (!DayRange.TryParse(from, to, StoreReconciler.MaxDays, out var f, out var t, out var problem)) return Results.Problem(problem, statusCode: StatusCodes.Status400BadRequest);
    var (repairs, after) = await reconciler.RepairAsync(f, t, ct);
    return Results.Json(new { repaired = repairs, after });
});
app.MapPost("/landing/scan", async (LandingScan scan, CancellationToken ct) => Results.Ok(new { ingestions = await scan.RunAsync(ct) }));
// Dead letters: what waits in the stages' _error queues and why, and sending it back after a fix.
app.MapGet("/errors", async (DeadLetters deadLetters, StageFailures failures, Guid? ingestion, CancellationToken ct) => Results.Json(new
{
    dead_letter_queues = (await deadLetters.CountAsync(ct)).Select(q => new { stage = q.Queue.Stage, queue = q.Queue.ErrorQueue, messages = q.Messages }),
    failures = (await failures.OpenAsync(ingestion, 1000, ct)).Select(f => new
    {
        ingestion_id = f.IngestionId, stage = f.Stage, batch = f.Sequence < 0 ? (int?)null : f.Sequence, message_type = f.MessageType,
        reason = f.Reason, failed_at = f.FailedAt, age_seconds = (long)(DateTime.UtcNow - f.FailedAt).TotalSeconds,
    }),
}));
app.MapPost("/errors/replay", async (DeadLetters deadLetters, Guid? ingestion, CancellationToken ct) =>
{
    var replayed = await deadLetters.ReplayAsync(ingestion, ct);
    return Results.Json(new
    {
        ingestion_id = ingestion, replayed = replayed.Sum(r => r.Replayed),
        queues = replayed.Select(r => new { stage = r.Queue.Stage, queue = r.Queue.ErrorQueue, replayed = r.Replayed }),
    });
});
app.MapGet("/landing", async (LandingFiles files, int? limit, CancellationToken ct) =>
    limit is < 1 or > 10_000
        ? Results.Problem("'limit' must be 1 to 10000", statusCode: StatusCodes.Status400BadRequest)
        : Results.Json((await files.ListAsync(limit ?? 1000, ct)).Select(e => new
        {
            path = e.Path, state = e.State, reason = e.Reason, size_bytes = e.SizeBytes, ingested_bytes = e.IngestedBytes,
            last_ingestion_id = e.LastIngestionId, updated_at = e.UpdatedAt,
        })));

await app.Services.MigrateAsync(IngestSchema.Migrations, app.Lifetime.ApplicationStopping);
app.Run();
