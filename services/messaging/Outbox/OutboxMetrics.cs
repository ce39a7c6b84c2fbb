using System.Diagnostics.Metrics;

namespace CoffeeMesh.Messaging.Outbox;

/// <summary>Counters on the CoffeeMesh meter (registered by ServiceDefaults).</summary>
internal static class OutboxMetrics
{
    public static readonly Meter Meter = new(MessagingDiagnostics.MeterName);
    private static readonly Counter<long> DeliveredCounter = Meter.CreateCounter<long>("coffeemesh.outbox.delivered");
    private static readonly Counter<long> FailedCounter = Meter.CreateCounter<long>("coffeemesh.outbox.failed");

    public static void Delivered(int delivered, int failed)
    {
        if (delivered > 0) DeliveredCounter.Add(delivered);
        if (failed > 0) FailedCounter.Add(failed);
    }
}
