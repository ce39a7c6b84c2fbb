using System.Text.Json;
using CoffeeMesh.Dashboard;
using Npgsql;

// dashboard: the sales page (wwwroot) and the JSON it reads (/api/...), over the star schema's
// aggregate and ingest's ledger. It reads only: olap-sync owns the schema.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
var olapConnection = builder.Configuration.GetConnectionString("olap")
    ?? throw new InvalidOperationException("ConnectionStrings:olap is not set.");
builder.Services.AddSingleton(NpgsqlDataSource.Create(olapConnection));
builder.Services.AddSingleton<SalesReports>();
// ingest's API by service discovery (the AppHost's WithReference(ingest)), or Dashboard:IngestUrl.
builder.Services.AddHttpClient<PipelinePanel>(http => http.BaseAddress = new Uri(builder.Configuration["Dashboard:IngestUrl"] ?? "http://ingest"));
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
builder.Services.AddHealthChecks().AddCheck<StarSchemaHealthCheck>("postgresql");

var app = builder.Build();
app.MapDefaultEndpoints();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapDashboardApi();
app.Run();
