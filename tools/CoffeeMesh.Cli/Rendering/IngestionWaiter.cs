using CoffeeMesh.Cli.Api;
using CoffeeMesh.Contracts;
using Spectre.Console;

namespace CoffeeMesh.Cli.Rendering;

/// <summary>How <c>ingest --wait</c> shows progress while it polls.</summary>
public enum WaitDisplay
{
    /// <summary>Nothing (--json: only the final JSON is printed).</summary>
    None,
    /// <summary>A line per state change, no escape codes (a log, a pipe).</summary>
    Lines,
    /// <summary>A live bar per stage (a terminal).</summary>
    Live,
}

/// <summary>
/// Polls GET /ingestions/{id} every 250 ms until the ingestion completes or fails, or the timeout
/// passes, showing progress on the error console. Returns the last status read (typed and raw).
/// </summary>
public sealed class IngestionWaiter(IngestApi api, IAnsiConsole progress)
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>Live when the console is a terminal that can redraw, else lines.</summary>
    public static WaitDisplay DisplayFor(IAnsiConsole console) =>
        console.Profile.Capabilities is { Ansi: true, Interactive: true } ? WaitDisplay.Live : WaitDisplay.Lines;

    /// <returns>The last status; <c>TimedOut</c> when it was still running at the timeout.</returns>
    /// <exception cref="InvalidOperationException">ingest no longer knows the ingestion.</exception>
    public async Task<(Fetched<IngestionStatus> Last, bool TimedOut)> WaitAsync(Guid id, TimeSpan timeout, WaitDisplay display, CancellationToken ct)
    {
        if (display != WaitDisplay.Live) return await PollAsync(id, timeout, display == WaitDisplay.Lines ? Line : null, ct);
        return await progress.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RowsColumn(),
                new RowRateColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var tasks = StageBar.Stages.Select(s => context.AddTask(s.Label, maxValue: 1)).ToList();
                foreach (var task in tasks) task.IsIndeterminate = true;
                return await PollAsync(id, timeout, status =>
                {
                    var bars = StageBar.From(status);
                    for (var i = 0; i < bars.Count; i++)
                    {
                        var (task, bar) = (tasks[i], bars[i]);
                        task.IsIndeterminate = bar.Total is null;
                        task.MaxValue = Math.Max(1, bar.Total ?? bar.Done);
                        task.Value = bar.Done;
                        task.Description = status.Stalled is not null && bar.Done < (bar.Total ?? long.MaxValue) ? $"{bar.Label} [yellow](stalled)[/]" : bar.Label;
                    }
                }, ct);
            });
    }

    private async Task<(Fetched<IngestionStatus>, bool)> PollAsync(Guid id, TimeSpan timeout, Action<IngestionStatus>? show, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var fetched = await api.StatusAsync(id, ct) ?? throw new InvalidOperationException($"ingest no longer knows ingestion {id}");
            var status = fetched.Value;
            if (show is not null) show(status);
            if (status.State is "completed" or "failed") return (fetched, false);
            if (DateTime.UtcNow > deadline) return (fetched, true);
            await Task.Delay(PollEvery, ct);
        }
    }

    private string? _lineState;

    /// <summary>Lines mode: each state once, when it changes.</summary>
    private void Line(IngestionStatus status)
    {
        if (status.State == _lineState) return;
        _lineState = status.State;
        var stall = status.Stalled is { } s ? $" for {s.Seconds} s, waiting for {s.WaitingFor}" : "";
        CliConsoles.WriteRaw(progress, $"  {DateTime.Now:HH:mm:ss} {status.IngestionId}: {status.State}{stall}");
    }
}
