namespace CoffeeMesh.Ingest.Scheduling;

/// <summary>
/// Turns a burst of file events into one scan: a scan is due once no event has come for
/// <paramref name="quiet"/>, or <paramref name="longest"/> after the burst's first event if events
/// keep coming (a file being written for a long time is taken piece by piece, as the scan does
/// with a growing file). Thread-safe: events come on the watcher's threads.
/// </summary>
public sealed class ScanDebounce(TimeProvider time, TimeSpan quiet, TimeSpan longest)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _first, _last;
    private TaskCompletionSource _burst = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Records an event (a file created, changed or renamed; or the watcher lost some).</summary>
    public void Notify()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            _last = now;
            if (_first is not null) return;
            _first = now;
            _burst.TrySetResult(); // wakes the scheduler once per burst, not once per event
        }
    }

    /// <summary>When the pending burst's scan is due (UTC); null when no event is pending.</summary>
    public DateTimeOffset? DueAt
    {
        get
        {
            lock (_gate)
                return _first is null ? null : Min(_last!.Value + quiet, _first.Value + longest);
        }
    }

    /// <summary>Completes when a burst starts (at once if one is pending).</summary>
    public Task BurstStarted
    {
        get
        {
            lock (_gate) return _burst.Task;
        }
    }

    /// <summary>Forgets the pending events, just before a scan that will see what they changed.</summary>
    public void Take()
    {
        lock (_gate)
        {
            _first = _last = null;
            if (_burst.Task.IsCompleted) _burst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
