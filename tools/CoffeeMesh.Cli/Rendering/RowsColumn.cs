using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CoffeeMesh.Cli.Rendering;

/// <summary>Progress column "rows done/total" ("rows done" while the total is unknown).</summary>
public sealed class RowsColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Text(task.IsIndeterminate
            ? string.Create(CultureInfo.InvariantCulture, $"{task.Value:N0} rows")
            : string.Create(CultureInfo.InvariantCulture, $"{task.Value:N0}/{task.MaxValue:N0}"));
}
