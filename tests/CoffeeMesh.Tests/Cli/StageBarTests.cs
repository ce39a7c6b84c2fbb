using CoffeeMesh.Cli.Rendering;
using CoffeeMesh.Contracts;

namespace CoffeeMesh.Tests.Cli;

/// <summary>ingest --wait's bars: rows each stage has done of the rows it will be given.</summary>
public sealed class StageBarTests
{
    private static IngestionStatus Status(string state, long rowsRead, params StageProgress[] stages) => new()
    {
        IngestionId = Guid.NewGuid(), Source = "s.csv", State = state, RowsRead = rowsRead, Stages = stages,
    };

    private static StageProgress Stage(string name, long rowsIn, long rowsOut) => new(name, 1, rowsIn, rowsOut, rowsIn - rowsOut, null, null);

    [Fact]
    public void Each_stage_is_given_the_rows_read_less_what_the_stages_before_it_kept_back()
    {
        var bars = StageBar.From(Status("processing", 10_000,
            Stage("ingest", 10_000, 10_000), Stage("transform", 8_000, 7_900), Stage("oltp-writer", 5_000, 4_990), Stage("olap-sync", 2_000, 2_000)));

        Assert.Equal(["ingest read", "transform", "oltp-writer", "olap-sync"], bars.Select(b => b.Label));
        Assert.Equal(new StageBar("ingest read", 10_000, 10_000), bars[0]);
        Assert.Equal(new StageBar("transform", 8_000, 10_000), bars[1]);
        Assert.Equal(new StageBar("oltp-writer", 5_000, 9_900), bars[2]);
        Assert.Equal(new StageBar("olap-sync", 2_000, 9_890), bars[3]);
    }

    [Fact]
    public void Ingests_bar_has_no_total_while_it_reads()
    {
        var bars = StageBar.From(Status("reading", 3_000, Stage("transform", 1_000, 1_000)));

        Assert.Equal(new StageBar("ingest read", 3_000, null), bars[0]);
        Assert.Equal(new StageBar("transform", 1_000, 3_000), bars[1]);
        Assert.Equal(new StageBar("olap-sync", 0, 3_000), bars[3]);
    }

    [Fact]
    public void A_completed_ingestions_bars_are_full()
    {
        var bars = StageBar.From(Status("completed", 5_000, Stage("transform", 5_000, 4_000), Stage("oltp-writer", 4_000, 4_000), Stage("olap-sync", 4_000, 4_000)));

        Assert.All(bars, b => Assert.Equal(b.Total, b.Done));
        Assert.Equal(4_000, bars[3].Total);
    }
}
