using Spectre.Console;

namespace CoffeeMesh.Cli;

/// <summary>
/// Where the CLI writes: <see cref="Out"/> (stdout) takes results (tables, JSON); <see cref="Error"/>
/// (stderr) takes errors, help after a usage error and progress, so that a script piping stdout gets
/// only the result.
/// </summary>
public sealed record CliConsoles(IAnsiConsole Out, IAnsiConsole Error)
{
    /// <summary>
    /// The process's stdout and stderr. A redirected stream gets no escape codes and no live display
    /// (a log gets plain lines), and 120 columns instead of the 80 Spectre assumes without a terminal.
    /// </summary>
    public static CliConsoles ForProcess() => new(Create(Console.Out, Console.IsOutputRedirected), Create(Console.Error, Console.IsErrorRedirected));

    private static IAnsiConsole Create(TextWriter writer, bool redirected)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = redirected ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = redirected ? InteractionSupport.No : InteractionSupport.Detect,
        });
        if (redirected) console.Profile.Width = 120;
        return console;
    }

    /// <summary>Text written as is, never wrapped or parsed as markup (JSON for scripts, log lines).</summary>
    public static void WriteRaw(IAnsiConsole console, string text)
    {
        console.Profile.Out.Writer.WriteLine(text);
        console.Profile.Out.Writer.Flush();
    }
}
