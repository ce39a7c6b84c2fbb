using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace CoffeeMesh.Cli.Rendering;

/// <summary>Progress column: rows per second over the task's recent samples.</summary>
public sealed class RowRateColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Text(task.Speed is { } speed && !task.IsFinished ? string.Create(CultureInfo.InvariantCulture, $"{speed:N0} rows/s") : "",
            new Style(Color.Grey));
}
