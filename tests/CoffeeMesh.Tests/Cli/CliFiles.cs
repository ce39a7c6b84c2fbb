using System.Text;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.Cli;

/// <summary>Sales files for the CLI's tests, each in its own transaction id range so that no other test's rows are replaced.</summary>
public static class CliFiles
{
    /// <summary>Writes a header and <paramref name="rows"/> rows from <paramref name="firstId"/> on one day; every 500th row has a quantity that is not a number (quarantined).</summary>
    public static string Write(string path, long firstId, int rows, string date)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = new StringBuilder(Csv.Header);
        for (var i = 0; i < rows; i++)
            text.Append(Csv.Row(firstId + i, date, time: $"{7 + i % 12:00}:{i % 60:00}:{i / 60 % 60:00}", qty: i % 500 == 499 ? "two" : "2.0"));
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>A path outside the mesh's landing folder (the CLI uploads such files).</summary>
    public static string Outside(string name) => Path.Combine(Path.GetTempPath(), $"coffeemesh-cli-{TestEnvironment.RunId}", name);
}
