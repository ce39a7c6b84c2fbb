using CoffeeMesh.Messaging;

// cloud-publisher: processed files to GCS, then a loader into BigQuery. Not built yet (a later
// issue): this host joins the bus and reports health so the mesh's wiring is complete.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCoffeeMeshBus();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Logger.LogWarning("cloud-publisher has no consumers yet: nothing is published to GCS by this version");
app.Run();
