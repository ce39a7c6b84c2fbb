using CoffeeMesh.Contracts;
using MassTransit;

namespace CoffeeMesh.Ingest.Failures;

/// <summary>
/// MassTransit publishes a <c>Fault&lt;T&gt;</c> when a consumer gives up on a message of type T (its
/// retries spent, the message moved to the <c>_error</c> queue). Each one is recorded against its
/// ingestion, naming the stage (the service that gave up), the batch and the reason, so the
/// ingestion ends as failed instead of waiting forever. Recording is an upsert: a redelivered fault
/// changes nothing.
/// </summary>
public sealed class StageFaultConsumer(StageFailures failures, Ledger.IngestionLedger ledger, ILogger<StageFaultConsumer> logger) :
    IConsumer<Fault<IngestionRequested>>, IConsumer<Fault<RawSalesBatch>>, IConsumer<Fault<CleanSalesBatch>>,
    IConsumer<Fault<SalesBatchStored>>, IConsumer<Fault<SalesBatchSynced>>, IConsumer<Fault<IngestionCountRequested>>
{
    public Task Consume(ConsumeContext<Fault<IngestionRequested>> context) => RecordAsync(context, context.Message.Message.IngestionId, -1);
    public Task Consume(ConsumeContext<Fault<RawSalesBatch>> context) => RecordAsync(context, context.Message.Message.IngestionId, context.Message.Message.Sequence);
    public Task Consume(ConsumeContext<Fault<CleanSalesBatch>> context) => RecordAsync(context, context.Message.Message.IngestionId, context.Message.Message.Sequence);
    public Task Consume(ConsumeContext<Fault<SalesBatchStored>> context) => RecordAsync(context, context.Message.Message.IngestionId, context.Message.Message.Sequence);
    public Task Consume(ConsumeContext<Fault<SalesBatchSynced>> context) => RecordAsync(context, context.Message.Message.IngestionId, context.Message.Message.Sequence);
    public Task Consume(ConsumeContext<Fault<IngestionCountRequested>> context) => RecordAsync(context, context.Message.Message.IngestionId, -1);

    private async Task RecordAsync<T>(ConsumeContext<Fault<T>> context, Guid ingestionId, int sequence) where T : class
    {
        var fault = context.Message;
        var stage = Stage(fault.Host?.Assembly) ?? typeof(T).Name;
        var exception = fault.Exceptions.FirstOrDefault();
        var reason = exception is null ? "no exception recorded" : $"{exception.ExceptionType}: {exception.Message}";
        await failures.RecordAsync(new StageFailures.Failure(ingestionId, stage, sequence, typeof(T).Name, reason, fault.Timestamp.ToUniversalTime()),
            context.CancellationToken);
        logger.LogWarning("Ingestion {IngestionId}: {Stage} gave up on {MessageType} {Sequence}: {Reason}", ingestionId, stage, typeof(T).Name, sequence, reason);
        // The failed ingestion's status shows what the stores hold of it.
        await ledger.RequestCountAsync(ingestionId, context.CancellationToken);
    }

    /// <summary>The stage a faulted consumer belongs to, from its service's assembly (CoffeeMesh.OltpWriter → oltp-writer).</summary>
    public static string? Stage(string? assembly) => assembly switch
    {
        "CoffeeMesh.Ingest" => "ingest",
        "CoffeeMesh.Transform" => "transform",
        "CoffeeMesh.OltpWriter" => "oltp-writer",
        "CoffeeMesh.OlapSync" => "olap-sync",
        "CoffeeMesh.CloudPublisher" => "cloud-publisher",
        _ => null,
    };
}

public sealed class StageFaultConsumerDefinition : ConsumerDefinition<StageFaultConsumer>
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<StageFaultConsumer> consumer,
        IRegistrationContext context) =>
        endpoint.UseMessageRetry(CoffeeMesh.Messaging.TransientRetry.Configure);
}
