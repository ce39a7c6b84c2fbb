using CoffeeMesh.Contracts;

namespace CoffeeMesh.Cli.Rendering;

/// <summary>
/// One stage's progress bar: <see cref="Done"/> rows it has processed of <see cref="Total"/> rows it
/// will be given. <see cref="Total"/> is null while unknown (ingest's own bar until reading ends).
/// </summary>
public sealed record StageBar(string Label, long Done, long? Total)
{
    /// <summary>The stages in pipeline order, with their bars' labels.</summary>
    public static readonly IReadOnlyList<(string Stage, string Label)> Stages =
    [
        ("ingest", "ingest read"), ("transform", "transform"), ("oltp-writer", "oltp-writer"), ("olap-sync", "olap-sync"),
    ];

    /// <summary>
    /// The bars of an ingestion's status. A stage is given the rows read minus the rows the stages
    /// before it kept back (transform's quarantined and out-of-range rows, ...): its total moves
    /// while those stages run and is exact once they are done. A completed ingestion's bars are full.
    /// </summary>
    public static IReadOnlyList<StageBar> From(IngestionStatus status)
    {
        var completed = status.State == "completed";
        var readingDone = completed || status.State is "processing" or "failed";
        var bars = new List<StageBar> { new(Stages[0].Label, status.RowsRead, readingDone ? status.RowsRead : null) };
        long keptBack = 0;
        foreach (var (stage, label) in Stages.Skip(1))
        {
            var progress = status.Stages.FirstOrDefault(s => s.Stage == stage);
            var done = progress?.RowsIn ?? 0;
            var total = Math.Max(done, status.RowsRead - keptBack);
            bars.Add(new StageBar(label, completed ? total : done, total));
            if (progress is not null) keptBack += Math.Max(0, progress.RowsIn - progress.RowsOut);
        }
        return bars;
    }
}
