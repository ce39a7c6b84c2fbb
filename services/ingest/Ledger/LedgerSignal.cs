namespace CoffeeMesh.Ingest.Ledger;

/// <summary>
/// Wakes whoever waits for the ledger to move in this process (read-ahead waiting for oltp-writer):
/// each stored batch this replica records. Another replica's records are seen by the waiter's
/// next read of the ledger, at most its timeout later.
/// </summary>
public sealed class LedgerSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Returns at the next <see cref="Notify"/> or after <paramref name="timeout"/>, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        var next = Volatile.Read(ref _next).Task;
        try { await next.WaitAsync(timeout, ct); }
        catch (TimeoutException) { }
    }
}
