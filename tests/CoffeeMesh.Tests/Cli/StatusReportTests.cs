using CoffeeMesh.Cli.Rendering;
using CoffeeMesh.Contracts;
using Spectre.Console.Testing;

namespace CoffeeMesh.Tests.Cli;

/// <summary>The status tables: a row per stage, the accounting, and failures, stall and reasons only when there are any.</summary>
public sealed class StatusReportTests
{
    private static string Render(IngestionStatus status)
    {
        var console = new TestConsole().Width(250);
        console.Write(StatusReport.Render(status));
        return console.Output;
    }

    private static readonly DateTime At = new(2025, 3, 1, 9, 0, 0, DateTimeKind.Utc);

    private static IngestionStatus Completed() => new()
    {
        IngestionId = Guid.Parse("0b7c6a52-3f0e-4c2a-9d55-8b1e1f7f2a10"), Source = "uploads/march.csv", State = "completed",
        RowsRead = 12_000, Batches = 12, Accepted = 11_990, Quarantined = 10, StoredOltp = 11_990, SyncedOlap = 11_990, Verified = true, Balanced = true,
        QuarantinedByReason = new Dictionary<string, long> { ["zero_qty"] = 7, ["[bold]markup[/]"] = 3 },
        Stages =
        [
            new("ingest", 12, 12_000, 12_000, 0, At, At.AddSeconds(2)),
            new("transform", 12, 12_000, 11_990, 10, At, At.AddSeconds(3)),
            new("oltp-writer", 12, 11_990, 11_990, 0, At, At.AddSeconds(4)),
            new("olap-sync", 12, 11_990, 11_990, 0, At, At.AddSeconds(5)),
        ],
        CreatedAt = At, UpdatedAt = At.AddSeconds(5), CompletedAt = At.AddSeconds(5),
    };

    [Fact]
    public void A_completed_ingestion_shows_a_row_per_stage_and_its_accounting()
    {
        var text = Render(Completed());

        Assert.Contains("0b7c6a52-3f0e-4c2a-9d55-8b1e1f7f2a10  (uploads/march.csv)", text);
        Assert.Matches(@"state\s+completed", text);
        Assert.Matches(@"took 5\.0s", text);
        Assert.Matches(@"ingest read\s+│\s+12\s+│\s+12,000\s+│\s+12,000\s+│\s+0", text);
        Assert.Matches(@"transform cleaned\s+│\s+12\s+│\s+12,000\s+│\s+11,990\s+│\s+10", text);
        Assert.Matches(@"oltp-writer stored\s+│\s+12\s+│\s+11,990\s+│\s+11,990", text);
        Assert.Matches(@"olap-sync synced\s+│\s+12\s+│\s+11,990\s+│\s+11,990", text);
        Assert.Matches(@"stored_oltp\s+11,990", text);
        Assert.Matches(@"verified\s+yes", text);
        Assert.Matches(@"balanced\s+yes", text);
        Assert.Matches(@"zero_qty\s+│\s+7", text);
        Assert.Contains("[bold]markup[/]", text); // text from the service is shown, never read as markup
        Assert.DoesNotContain("failures", text);
        Assert.DoesNotContain("stalled", text);
    }

    [Fact]
    public void A_stalled_failing_ingestion_says_what_it_waits_for_and_what_failed()
    {
        var text = Render(Completed() with
        {
            State = "stalled", Balanced = null, Verified = null, StoredOltp = null,
            Stalled = new Stall(At, 130, "olap-sync: 3 of 12 batches synced"),
            Failures = [new StageFailure("olap-sync", 4, "SalesBatchStored", "PostgreSQL refused the batch", At)],
        });

        Assert.Contains("stalled for 130 s", text);
        Assert.Contains("waiting for olap-sync: 3 of 12 batches synced", text);
        Assert.Matches(@"olap-sync\s+│\s+batch 4\s+│\s+PostgreSQL refused the batch", text);
        Assert.Contains("./coffeemesh replay", text);
        Assert.Matches(@"stored_oltp\s+-", text);
        Assert.Matches(@"balanced\s+-", text);
    }
}
