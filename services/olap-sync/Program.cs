using CoffeeMesh.Messaging;

// olap-sync: MySQL to the PostgreSQL star schema. Not built yet (a later issue): this host joins
// the bus and reports health so the mesh's wiring, dashboard and compose file are complete.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddCoffeeMeshBus();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Logger.LogWarning("olap-sync has no consumers yet: the star schema is not filled by this version");
app.Run();
