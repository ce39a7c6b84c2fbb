using CoffeeMesh.Messaging;
using CoffeeMesh.Transform;
using CoffeeMesh.Transform.Cleaning;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.Configure<CleaningOptions>(builder.Configuration.GetSection("Cleaning"));
builder.Services.AddSingleton(sp => new SalesRowCleaner(sp.GetRequiredService<IOptions<CleaningOptions>>().Value));
builder.Services.AddSingleton<BatchCleaner>();
builder.AddCoffeeMeshBus(bus => bus.AddConsumer<RawSalesBatchConsumer>(typeof(RawSalesBatchConsumerDefinition)));

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
