using Microsoft.Extensions.DependencyInjection;
using Aspire.Hosting.ApplicationModel;
using CoffeeMesh.AppHost;

var builder = DistributedApplication.CreateBuilder(args);
builder.Services.AddHostedService<RestartOnExit>();
var config = builder.Configuration;
var repoRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", ".."));
var landing = config["CoffeeMesh:LandingFolder"] ?? Path.Combine(repoRoot, "landing");

IResourceBuilder<IResourceWithConnectionString> rabbit, oltp, ingestDb, olap;
// What the services wait for: each server, running and healthy (and, in containers, its database created).
IResourceBuilder<IResource> rabbitReady, mysqlReady, olapReady;
if (Infrastructure.UseContainers(config))
{
    // Containers: RabbitMQ and PostgreSQL through Aspire's hosting packages; MySQL 8.4 as a plain
    // container (Aspire.Hosting.MySql is not served to us), with LOCAL INFILE on for bulk loads.
    // Images: CoffeeMesh:Images:rabbitmq|postgres|mysql replace the defaults (Infrastructure.WithConfiguredImage).
    var rabbitServer = builder.AddRabbitMQ("rabbitmq").WithManagementPlugin().WithConfiguredImage(config, "rabbitmq");
    rabbit = rabbitServer;
    olap = builder.AddPostgres("postgres").WithConfiguredImage(config, "postgres").AddDatabase("olap", "coffee_sales_data");
    rabbitReady = rabbit;
    olapReady = olap;
    var mysqlPassword = builder.AddParameter("mysql-password", secret: true);
    var mysql = builder.AddContainer("mysql", "mysql", "8.4").WithConfiguredImage(config, "mysql")
        .WithEnvironment("MYSQL_ROOT_PASSWORD", mysqlPassword)
        .WithArgs("--local-infile=1")
        .WithEndpoint(targetPort: 3306, name: "tcp", scheme: "tcp");
    var endpoint = mysql.GetEndpoint("tcp");
    ReferenceExpression MySql(string database) => ReferenceExpression.Create(
        $"Server={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)};User ID=root;Password={mysqlPassword};Database={database};AllowLoadLocalInfile=true;AllowUserVariables=true");
    oltp = builder.AddConnectionString("oltp", MySql("coffee_shop_sales"));
    ingestDb = builder.AddConnectionString("ingestdb", MySql("coffeemesh_ingest"));
    mysqlReady = mysql;
}
else
{
    // Local servers (scripts/infra.sh): connection strings come from configuration, i.e. the
    // ConnectionStrings__* variables that ./coffeemesh exports from .infra/connections.env. The
    // servers are resources too (the dashboard shows them with their health); each database is
    // listed under its server.
    var rabbitServer = builder.AddLocalRabbitMq("rabbitmq");
    var mariaDb = builder.AddLocalMariaDb("mariadb", "oltp");
    var postgres = builder.AddLocalPostgres("postgres", "olap");
    rabbit = rabbitServer;
    oltp = builder.AddConnectionString("oltp").WithParentRelationship(mariaDb);
    ingestDb = builder.AddConnectionString("ingestdb").WithParentRelationship(mariaDb);
    olap = builder.AddConnectionString("olap").WithParentRelationship(postgres);
    rabbitReady = rabbitServer;
    mysqlReady = mariaDb;
    olapReady = postgres;
}

int Replicas(string service) => int.TryParse(config[$"CoffeeMesh:Replicas:{service}"], out var n) && n > 0 ? n : 1;

var oltpWriter = builder.AddProject<Projects.CoffeeMesh_OltpWriter>("oltp-writer")
    .WithHttpEndpoint(name: "http")
    .WithReference(rabbit).WithReference(oltp)
    .WaitFor(rabbitReady).WaitFor(mysqlReady)
    .WithHttpHealthCheck("/health")
    .WithReplicas(Replicas("oltp-writer"));

var transform = builder.AddProject<Projects.CoffeeMesh_Transform>("transform")
    .WithHttpEndpoint(name: "http")
    .WithReference(rabbit).WaitFor(rabbitReady)
    // A 32 MB gen0 (see CoffeeMesh.Transform.csproj): the runtime reads this one from the environment only.
    .WithEnvironment("DOTNET_GCgen0size", "0x2000000")
    .WithHttpHealthCheck("/health")
    .WithReplicas(Replicas("transform"));

var olapSync = builder.AddProject<Projects.CoffeeMesh_OlapSync>("olap-sync")
    .WithHttpEndpoint(name: "http")
    .WithReference(rabbit).WithReference(oltp).WithReference(olap)
    .WaitFor(rabbitReady).WaitFor(mysqlReady).WaitFor(olapReady)
    .WithHttpHealthCheck("/health")
    .WithReplicas(Replicas("olap-sync"));

var ingest = builder.AddProject<Projects.CoffeeMesh_Ingest>("ingest")
    // A fixed port for the CLI; 0 lets the tests pick a free one.
    .WithHttpEndpoint(port: int.TryParse(config["CoffeeMesh:IngestPort"], out var port) && port > 0 ? port : null, name: "http")
    .WithReference(rabbit).WithReference(ingestDb).WithReference(oltpWriter).WithReference(olapSync)
    .WaitFor(rabbitReady).WaitFor(mysqlReady).WaitFor(oltpWriter).WaitFor(olapSync)
    .WithEnvironment("Ingest__LandingFolder", landing)
    .WithEnvironment("Ingest__BatchSize", config["CoffeeMesh:BatchSize"] ?? "10000")
    .WithEnvironment("Ingest__MaxBatchesAhead", config["CoffeeMesh:MaxBatchesAhead"] ?? "20")
    .WithEnvironment("Ingest__Schedule", config["CoffeeMesh:IngestSchedule"] ?? "*/5 * * * *")
    // Files dropped in incoming/ are scanned as they arrive; the schedule above is the safety net.
    .WithEnvironment("Ingest__WatchIncoming", config["CoffeeMesh:WatchIncoming"] ?? "true")
    .WithHttpHealthCheck("/health")
    .WithReplicas(Replicas("ingest"));

// The GCS emulator (docs/gcs-emulator.md), in both modes: 4443 by default, 0 for a free port (tests).
// Its objects persist beside the landing folder, or under .infra.
var gcsData = config["CoffeeMesh:LandingFolder"] is { Length: > 0 } landingSet
    ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(landingSet))!, "gcs-data")
    : Path.Combine(repoRoot, ".infra", "gcs-data");
var gcs = builder.AddProject<Projects.CoffeeMesh_GcsEmulator>("gcs-emulator")
    .WithHttpEndpoint(port: int.TryParse(config["CoffeeMesh:GcsPort"], out var gcsPort) && gcsPort > 0 ? gcsPort : null, name: "http")
    .WithEnvironment("GcsEmulator__DataDirectory", gcsData)
    .WithHttpHealthCheck("/health");

var cloudPublisher = builder.AddProject<Projects.CoffeeMesh_CloudPublisher>("cloud-publisher")
    .WithHttpEndpoint(name: "http")
    .WithReference(rabbit).WithReference(oltp).WithReference(gcs)
    .WaitFor(rabbitReady).WaitFor(mysqlReady).WaitFor(gcs)
    .WithEnvironment("CloudPublisher__GcsUrl", ReferenceExpression.Create($"{gcs.GetEndpoint("http")}/storage/v1/"))
    .WithHttpHealthCheck("/health")
    .WithReplicas(Replicas("cloud-publisher"));
// The warehouse-loader (the old Cloud Run function): the emulator pushes each processed object's finalize
// CloudEvent to it and retries until it answers 2xx. Its DuckDB file lives beside the GCS data.
var warehouseFile = Path.Combine(Path.GetDirectoryName(gcsData)!, "warehouse", "coffeemesh.duckdb");
var warehouseLoader = builder.AddProject<Projects.CoffeeMesh_WarehouseLoader>("warehouse-loader")
    .WithHttpEndpoint(name: "http")
    .WithReference(rabbit).WithReference(gcs)
    .WaitFor(rabbitReady).WaitFor(gcs)
    .WithEnvironment("Warehouse__Target", config["CoffeeMesh:Warehouse"] ?? "duckdb")
    .WithEnvironment("Warehouse__DuckDbPath", warehouseFile)
    .WithEnvironment("Warehouse__Bucket", "coffee-sales-data")
    .WithEnvironment("Warehouse__GcsUrl", ReferenceExpression.Create($"{gcs.GetEndpoint("http")}/storage/v1/"))
    .WithHttpHealthCheck("/health");
gcs.WithEnvironment("GcsEmulator__Notifications__Subscribers__0__Name", "warehouse-loader")
    .WithEnvironment("GcsEmulator__Notifications__Subscribers__0__Url", ReferenceExpression.Create($"{warehouseLoader.GetEndpoint("http")}/"))
    // A loader that was down is caught up within seconds of its return.
    .WithEnvironment("GcsEmulator__Notifications__MaxBackoffSeconds", config["CoffeeMesh:NotificationMaxBackoffSeconds"] ?? "5");

// ingest starts reading only once every consumer of the batches' events has bound its queue.
// Reconciliation (GET /reconciliation) asks cloud-publisher and warehouse-loader for their days.
ingest.WaitFor(cloudPublisher).WaitFor(warehouseLoader).WithReference(cloudPublisher).WithReference(warehouseLoader);

// The sales dashboard (issue 21): 5390 by default, 0 for a free port (tests). It reads the star
// schema and ingest's API (by service discovery).
builder.AddProject<Projects.CoffeeMesh_Dashboard>("dashboard")
    .WithHttpEndpoint(port: int.TryParse(config["CoffeeMesh:DashboardPort"], out var dashboardPort) && dashboardPort > 0 ? dashboardPort : null, name: "http")
    .WithReference(olap).WithReference(ingest)
    .WaitFor(olapSync).WaitFor(ingest)
    .WithHttpHealthCheck("/health");

// A service started by the AppHost ends when the `dotnet run` that launched it ends (ServiceDefaults),
// instead of running on outside the AppHost.
foreach (var project in builder.Resources.OfType<ProjectResource>())
    builder.CreateResourceBuilder(project).WithEnvironment("CoffeeMesh__ExitWithParent", "true");

// Tests isolate a run by queue prefix; pass it to every service.
if (config["Messaging:QueuePrefix"] is { Length: > 0 } prefix)
    foreach (var project in builder.Resources.OfType<ProjectResource>())
        builder.CreateResourceBuilder(project).WithEnvironment("Messaging__QueuePrefix", prefix);

builder.Build().Run();
