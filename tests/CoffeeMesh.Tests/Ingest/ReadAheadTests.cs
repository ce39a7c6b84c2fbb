using System.Diagnostics.Metrics;
using CoffeeMesh.Ingest.Ingestions;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoffeeMesh.Tests.Ingest;

/// <summary>Reading pauses while MaxBatchesAhead batches are out and not yet stored by the writer.</summary>
public sealed class ReadAheadTests
{
    private int? _stored = 0;
    private int _asked;

    private ReadAhead Window(int maxBatchesAhead) =>
        new(Guid.NewGuid(), maxBatchesAhead, _ => { _asked++; return Task.FromResult(_stored); }, NullLogger.Instance);

    [Fact]
    public async Task Reading_publishes_without_asking_the_writer_while_the_window_has_room()
    {
        var window = Window(3);

        for (var sequence = 0; sequence < 3; sequence++) await window.WaitForRoomAsync(sequence, CancellationToken.None);

        Assert.Equal(0, _asked);
    }

    [Fact]
    public async Task Reading_waits_when_the_window_is_full_and_resumes_once_the_writer_stores_a_batch()
    {
        var window = Window(3);

        var waiting = window.WaitForRoomAsync(3, CancellationToken.None);
        await Task.Delay(4 * ReadAhead.Poll);
        Assert.False(waiting.IsCompleted);
        _stored = 1;

        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(_asked >= 2);
        Assert.True(window.Waited > TimeSpan.Zero);
    }

    [Fact]
    public async Task Once_full_reading_resumes_only_when_a_quarter_of_the_window_is_free()
    {
        var window = Window(8);

        var waiting = window.WaitForRoomAsync(8, CancellationToken.None);
        _stored = 1;
        await Task.Delay(5 * ReadAhead.Poll);
        Assert.False(waiting.IsCompleted);
        _stored = 2;

        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        await window.WaitForRoomAsync(9, CancellationToken.None); // 7 out and not stored: room
        using var cts = new CancellationTokenSource();
        var full = window.WaitForRoomAsync(10, cts.Token); // 8: full again
        Assert.False(full.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => full);
    }

    [Fact]
    public async Task A_pause_is_counted_in_seconds_on_the_CoffeeMesh_meter()
    {
        double seconds = 0;
        var gate = new object();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == ReadAhead.WaitMetric) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => { lock (gate) seconds += value; });
        listener.Start();
        var window = Window(1);

        var waiting = window.WaitForRoomAsync(1, CancellationToken.None);
        await Task.Delay(3 * ReadAhead.Poll);
        _stored = 1;
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        lock (gate) Assert.InRange(seconds, 0.2, 5);
    }

    [Fact]
    public async Task Reading_stays_paused_while_the_writer_does_not_answer()
    {
        var window = Window(3);
        _stored = null;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(1500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => window.WaitForRoomAsync(3, cts.Token));
        Assert.True(_asked >= 1);
    }

    [Fact]
    public async Task A_stored_count_seen_once_is_kept_while_the_writer_is_unreachable()
    {
        var window = Window(3);
        _stored = 2;
        await window.WaitForRoomAsync(3, CancellationToken.None);
        _stored = null;

        await window.WaitForRoomAsync(4, CancellationToken.None); // 4 - 2 < 3: no need to ask

        Assert.Equal(1, _asked);
    }

    [Fact]
    public async Task A_limit_of_zero_never_pauses_reading()
    {
        var window = Window(0);

        await window.WaitForRoomAsync(1_000_000, CancellationToken.None);

        Assert.Equal(0, _asked);
    }
}
