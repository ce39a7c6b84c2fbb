using System.Diagnostics.Metrics;

namespace CoffeeMesh.Messaging.Outbox;

/// <summary>The outbox's instruments on the CoffeeMesh meter (registered by ServiceDefaults).</summary>
internal static class OutboxMetrics
{
    private static readonly Meter Meter = MessagingDiagnostics.Meter;
    private static readonly Counter<long> DeliveredCounter = Meter.CreateCounter<long>("coffeemesh.outbox.delivered");
    private static readonly Counter<long> FailedCounter = Meter.CreateCounter<long>("coffeemesh.outbox.failed");

    private static long _pending;
    private static double _oldestAge;
    private static readonly ObservableGauge<long> PendingGauge = Meter.CreateObservableGauge("coffeemesh.outbox.pending", () => Volatile.Read(ref _pending),
        description: "Outbox messages not yet delivered");
    private static readonly ObservableGauge<double> OldestAgeGauge = Meter.CreateObservableGauge("coffeemesh.outbox.oldest_age", () => Volatile.Read(ref _oldestAge),
        unit: "s", description: "Age of the oldest undelivered outbox message");

    public static void Observe(long pending, double oldestAgeSeconds)
    {
        Volatile.Write(ref _pending, pending);
        Volatile.Write(ref _oldestAge, oldestAgeSeconds);
    }

    public static void Delivered(int delivered, int failed)
    {
        if (delivered > 0) DeliveredCounter.Add(delivered);
        if (failed > 0) FailedCounter.Add(failed);
    }
}
