using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.WarehouseLoader.Warehouse;
using MassTransit;

namespace CoffeeMesh.WarehouseLoader;

/// <summary>
/// Answers ingest's IngestionCountRequested with the warehouse's own count (IngestionCounted, stage
/// "warehouse-loader"): each batch all of whose objects are loaded, with the rows they hold. Read-only.
/// </summary>
public sealed class WarehouseCountConsumer(IWarehouse warehouse) : IConsumer<IngestionCountRequested>
{
    public const string Stage = "warehouse-loader";

    public async Task Consume(ConsumeContext<IngestionCountRequested> context)
    {
        var batches = await warehouse.CountAsync(context.Message.IngestionId, context.CancellationToken);
        var complete = batches.Where(b => b.Objects >= b.BatchObjects).ToList();
        await context.Publish(new IngestionCounted
        {
            IngestionId = context.Message.IngestionId,
            Stage = Stage,
            Batches = complete.Select(b =>
            {
                var rows = (int)Math.Min(b.Rows, int.MaxValue);
                return new CountedBatch(b.Sequence, rows, rows, 0, 0, 0, 0);
            }).ToList(),
            Rows = complete.Sum(b => b.Rows),
        }, context.CancellationToken);
    }
}

public sealed class WarehouseCountConsumerDefinition : ConsumerDefinition<WarehouseCountConsumer>
{
    public WarehouseCountConsumerDefinition() => ConcurrentMessageLimit = 2;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<WarehouseCountConsumer> consumer,
        IRegistrationContext context) => endpoint.UseMessageRetry(TransientRetry.Configure);
}
