namespace CoffeeMesh.Messaging.Outbox;

/// <summary>
/// Wakes this instance's delivery loop right after a commit that added outbox rows, so delivery
/// latency is a round trip rather than a polling interval. Other replicas fall back to polling.
/// </summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { } // already signalled: one wake-up covers both commits
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
