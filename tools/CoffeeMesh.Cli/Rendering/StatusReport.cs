using System.Globalization;
using CoffeeMesh.Contracts;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CoffeeMesh.Cli.Rendering;

/// <summary>
/// One ingestion as tables: what it is and its state; a row per stage (batches, rows in and out,
/// quarantined, first and last batch); the accounting (accepted, quarantined, out of range, what each
/// store holds, verified, balanced); then failures, stall, format, quarantine reasons and attribute
/// changes when there are any. All text from the service is shown as text, never as markup.
/// </summary>
public static class StatusReport
{
    private static readonly Dictionary<string, string> StageLabels = new()
    {
        ["ingest"] = "ingest read", ["transform"] = "transform cleaned", ["oltp-writer"] = "oltp-writer stored", ["olap-sync"] = "olap-sync synced",
        ["cloud-publisher"] = "cloud-publisher published",
        ["warehouse-loader"] = "warehouse loaded",
    };

    public static IRenderable Render(IngestionStatus s)
    {
        var parts = new List<IRenderable> { Header(s), Stages(s), Accounting(s) };
        if (s.Failures.Count > 0) parts.Add(Failures(s));
        if (s.Stalled is { } stall)
            parts.Add(new Text($"stalled for {stall.Seconds} s (since {Durations.Clock(stall.Since)}): waiting for {stall.WaitingFor}", new Style(Color.Yellow)));
        if (s.Format is { } f)
            parts.Add(new Text($"format: separator '{f.Separator}', dates {f.DateOrder}, decimal mark '{f.DecimalMark}', {f.LineEnding} line endings, {f.Shape} file"));
        if (s.QuarantinedByReason.Count > 0) parts.Add(Counts("quarantined by reason", s.QuarantinedByReason));
        if (s.RejectedOlapReasons.Count > 0) parts.Add(Counts("refused by PostgreSQL, by reason", s.RejectedOlapReasons));
        if (s.AttributeChanges.Count > 0) parts.Add(AttributeChanges(s));
        return new Rows(parts);
    }

    private static IRenderable Header(IngestionStatus s)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        grid.AddRow(new Text("ingestion"), new Text($"{s.IngestionId}  ({s.Source})"));
        grid.AddRow(new Text("state"), new Text(s.State + (s.Error is { } e ? $": {e}" : ""), new Style(StateColor(s.State))));
        if (s.From is not null || s.To is not null)
            grid.AddRow(new Text("dates"), new Text($"{s.From?.ToString("yyyy-MM-dd") ?? "…"} to {s.To?.ToString("yyyy-MM-dd") ?? "…"}"));
        var duration = IngestionDuration.Of(s, DateTime.UtcNow);
        grid.AddRow(new Text("started"), new Text($"{Durations.Clock(s.CreatedAt)}{(duration is { } d ? $", {(s.State == "completed" ? "took" : "for")} {Durations.Short(d)}" : "")}"));
        return grid;
    }

    private static IRenderable Stages(IngestionStatus s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("stages")
            .AddColumn("stage").AddColumn(new TableColumn("batches").RightAligned()).AddColumn(new TableColumn("rows in").RightAligned())
            .AddColumn(new TableColumn("rows out").RightAligned()).AddColumn(new TableColumn("quarantined").RightAligned())
            .AddColumn("first").AddColumn("last");
        foreach (var stage in s.Stages)
            table.AddRow(new Text(StageLabels.GetValueOrDefault(stage.Stage, stage.Stage)), Number(stage.Batches), Number(stage.RowsIn), Number(stage.RowsOut),
                Number(stage.Quarantined), new Text(Durations.Clock(stage.FirstAt)), new Text(Durations.Clock(stage.LastAt)));
        if (s.Stages.Count == 0) table.Caption("no stage has reported yet");
        return table;
    }

    private static IRenderable Accounting(IngestionStatus s)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn(new GridColumn().RightAligned()).AddColumn();
        void Row(string name, string value, string note = "") => grid.AddRow(new Text(name), new Text(value), new Text(note, new Style(Color.Grey)));
        Row("rows read", N(s.RowsRead), $"in {s.Batches} batches");
        Row("accepted", N(s.Accepted));
        Row("quarantined", N(s.Quarantined));
        Row("out of range", N(s.OutOfRange), s.From is null && s.To is null ? "" : "outside the dates asked for");
        Row("duplicates superseded", N(s.DuplicatesSuperseded), "a later row of the same transaction replaced them");
        Row("stored_oltp", s.StoredOltp is { } o ? N(o) : "-", "rows in MySQL, as MySQL counts them");
        Row("synced_olap", s.SyncedOlap is { } p ? N(p) : "-", "facts in the PostgreSQL star schema, as PostgreSQL counts them");
        Row("published_gcs", s.PublishedGcs is { } g ? N(g) : "-", "rows in processed objects in the bucket, as cloud-publisher wrote them");
        Row("loaded_warehouse", s.LoadedWarehouse is { } w ? N(w) : "-", "rows the warehouse loaded from those objects (warehouse-loader)");
        if (s.RejectedOlap > 0) Row("rejected_olap", N(s.RejectedOlap), "facts PostgreSQL refused (sync_rejected)");
        Row("verified", YesNo(s.Verified), "the stores' counts agree with the stages' reports");
        Row("balanced", YesNo(s.Balanced), "accepted + quarantined + out of range = rows read");
        return grid;
    }

    private static IRenderable Failures(IngestionStatus s)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("failures")
            .Caption("the messages wait in their dead-letter queues: ./coffeemesh errors lists them, ./coffeemesh replay sends them back after a fix")
            .AddColumn("stage").AddColumn("message").AddColumn("reason").AddColumn("at");
        foreach (var f in s.Failures)
            table.AddRow(new Text(f.Stage), new Text(f.Batch is { } b ? $"batch {b}" : f.MessageType), new Text(f.Reason), new Text(Durations.Clock(f.FailedAt)));
        return table;
    }

    private static IRenderable Counts(string title, IReadOnlyDictionary<string, long> counts)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(title).AddColumn("reason").AddColumn(new TableColumn("rows").RightAligned());
        foreach (var (reason, count) in counts.OrderByDescending(kv => kv.Value)) table.AddRow(new Text(reason), Number(count));
        return table;
    }

    private static IRenderable AttributeChanges(IngestionStatus s)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"attribute changes ({s.AttributeChangesTotal}; earlier sales keep their attributes)")
            .AddColumn("dimension").AddColumn(new TableColumn("id").RightAligned()).AddColumn("from").AddColumn("change");
        foreach (var c in s.AttributeChanges)
            table.AddRow(new Text(c.Dimension), Number(c.Id), new Text(c.ValidFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                new Text(string.Join(", ", c.From.Select(kv => $"{kv.Key} '{kv.Value}' -> '{c.To.GetValueOrDefault(kv.Key)}'"))));
        return table;
    }

    public static Color StateColor(string state) => state switch
    {
        "completed" => Color.Green,
        "failed" => Color.Red,
        "stalled" => Color.Yellow,
        _ => Color.Default,
    };

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
    private static Text Number(long n) => new(N(n));
    private static string YesNo(bool? b) => b switch { true => "yes", false => "NO", null => "-" };
}
