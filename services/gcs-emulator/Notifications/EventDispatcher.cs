using CoffeeMesh.GcsEmulator.Storage;

namespace CoffeeMesh.GcsEmulator.Notifications;

/// <summary>
/// Pushes pending finalize events to their subscribers. Anything but a 2xx (or no answer) is retried with
/// exponential backoff (InitialBackoffMilliseconds doubling up to MaxBackoffSeconds) until RetryForSeconds after
/// the event, then the delivery moves to <c>events/dead-letter/</c> with its last error. Deliveries run
/// concurrently, so one slow subscriber does not hold up the others; order is not guaranteed (nor is it by Eventarc).
/// </summary>
public sealed class EventDispatcher(EventOutbox outbox, StoreLayout layout, EmulatorOptions options, TimeProvider clock, ILogger<EventDispatcher> log)
    : BackgroundService
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = TimeSpan.FromSeconds(options.Notifications.AttemptTimeoutSeconds),
    };

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var waiting = new List<PendingDelivery>();
        foreach (var file in Directory.EnumerateFiles(layout.PendingEvents, "*.json"))
        {
            if (AtomicFile.IsLeftover(file)) { File.Delete(file); continue; }
            waiting.Add(StoreJson.Read<PendingDelivery>(file)!);
        }
        var running = new List<Task<PendingDelivery?>>();
        while (!stop.IsCancellationRequested)
        {
            while (outbox.Ready.TryRead(out var fresh)) waiting.Add(fresh);
            var now = clock.GetUtcNow();
            foreach (var due in waiting.Where(d => d.NextAttempt <= now).ToList())
            {
                waiting.Remove(due);
                running.Add(AttemptAsync(due, stop));
            }
            var wakeAt = waiting.Count == 0 ? (DateTimeOffset?)null : waiting.Min(d => d.NextAttempt);
            var delay = wakeAt is { } w ? Clamp(w - clock.GetUtcNow()) : Timeout.InfiniteTimeSpan;
            var wakers = new List<Task>(running) { outbox.Ready.WaitToReadAsync(stop).AsTask() };
            if (delay != Timeout.InfiniteTimeSpan) wakers.Add(Task.Delay(delay, clock, stop));
            try { await Task.WhenAny(wakers); } catch (OperationCanceledException) { break; }
            foreach (var done in running.Where(t => t.IsCompleted).ToList())
            {
                running.Remove(done);
                if (done.IsCompletedSuccessfully && done.Result is { } retry) waiting.Add(retry);
            }
        }
    }

    // Null when delivered or dead-lettered; else the delivery with its next attempt time.
    private async Task<PendingDelivery?> AttemptAsync(PendingDelivery d, CancellationToken stop)
    {
        string error;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, d.Url) { Content = FinalizedEvent.ToHttpContent(d) };
            if (d.TraceParent is { } parent) request.Headers.TryAddWithoutValidation("traceparent", parent);
            if (d.TraceState is { } state) request.Headers.TryAddWithoutValidation("tracestate", state);
            using var response = await _http.SendAsync(request, stop);
            if (response.IsSuccessStatusCode)
            {
                File.Delete(outbox.PendingFile(d.Id));
                return null;
            }
            error = $"HTTP {(int)response.StatusCode}";
        }
        catch (Exception e) when (!stop.IsCancellationRequested)
        {
            error = e.GetType().Name + ": " + e.Message;
        }
        catch (OperationCanceledException)
        {
            return null; // shutting down: the pending file stays for the next start
        }

        var now = clock.GetUtcNow();
        var attempts = d.Attempts + 1;
        var backoff = TimeSpan.FromMilliseconds(Math.Min(
            options.Notifications.InitialBackoffMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30)),
            options.Notifications.MaxBackoffSeconds * 1000));
        var next = d with { Attempts = attempts, LastError = error, NextAttempt = now + backoff };
        if (now + backoff > d.Created + TimeSpan.FromSeconds(options.Notifications.RetryForSeconds))
        {
            log.LogWarning("Finalize event {EventId} for {Subscriber} dead-lettered after {Attempts} attempts: {Error}", d.EventId, d.Subscriber, attempts, error);
            AtomicFile.WriteAllBytes(outbox.DeadLetterFile(d.Id), StoreJson.Serialize(next));
            File.Delete(outbox.PendingFile(d.Id));
            return null;
        }
        log.LogInformation("Finalize event {EventId} for {Subscriber} failed ({Error}); attempt {Attempt} in {Backoff}", d.EventId, d.Subscriber, error, attempts + 1, backoff);
        AtomicFile.WriteAllBytes(outbox.PendingFile(d.Id), StoreJson.Serialize(next));
        return next;
    }

    private static TimeSpan Clamp(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
