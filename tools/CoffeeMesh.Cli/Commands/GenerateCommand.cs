using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CoffeeMesh.Cli.Commands;

/// <summary><c>generate --rows N --out FILE ...</c>: writes synthetic sales in the raw export format. Exit 0.</summary>
public sealed class GenerateCommand(CliConsoles consoles) : Command<GenerateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <FILE>", isRequired: true)]
        [Description("File to write (its folder is created)")]
        public string Out { get; set; } = "";

        [CommandOption("--rows <N>")]
        [Description("How many rows (underscores allowed: 1_000_000)")]
        [DefaultValue("10000")]
        public string Rows { get; set; } = "10000";

        [CommandOption("--start <DATE>")]
        [Description("First day, yyyy-MM-dd")]
        [DefaultValue("2025-01-01")]
        public string Start { get; set; } = "2025-01-01";

        [CommandOption("--days <D>")]
        [Description("How many days the sales spread over (at least 1)")]
        [DefaultValue(30)]
        public int Days { get; set; } = 30;

        [CommandOption("--dirty <FRACTION>")]
        [Description("Fraction of rows made dirty, 0 to 1, of several kinds (counted per kind)")]
        [DefaultValue(0.0)]
        public double Dirty { get; set; }

        [CommandOption("--seed <S>")]
        [Description("Random seed: the same seed writes the same file")]
        [DefaultValue(1)]
        public int Seed { get; set; } = 1;

        public override ValidationResult Validate()
        {
            if (!OptionValues.TryCount(Rows, out _)) return ValidationResult.Error("--rows must be a whole number");
            if (!OptionValues.TryDate(Start, out _)) return ValidationResult.Error("--start must be a date like 2025-01-31");
            if (Days < 1) return ValidationResult.Error("--days must be at least 1");
            if (Dirty is < 0 or > 1) return ValidationResult.Error("--dirty is a fraction between 0 and 1");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken ct)
    {
        OptionValues.TryCount(settings.Rows, out var rows);
        var generatorSettings = new GeneratorSettings(rows, OptionValues.Date(settings.Start)!.Value, settings.Days, settings.Dirty, settings.Seed);
        var stopwatch = Stopwatch.StartNew();
        var generator = new SalesGenerator(generatorSettings);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.Out))!);
        using (var writer = new StreamWriter(settings.Out, false, new UTF8Encoding(false), 1 << 20))
            generator.Write(writer);
        var output = new StringBuilder();
        output.Append(CultureInfo.InvariantCulture,
            $"wrote {rows} rows ({new FileInfo(settings.Out).Length / 1e6:0.0} MB) to {settings.Out} in {stopwatch.Elapsed.TotalSeconds:0.0}s");
        var dirty = generator.DirtyCounts.Where(kv => kv.Value > 0).ToList();
        if (dirty.Count > 0)
        {
            output.Append($"\ndirty rows: {dirty.Sum(kv => kv.Value)}");
            foreach (var (kind, count) in dirty) output.Append($"\n  {kind,-24} {count}");
        }
        CliConsoles.WriteRaw(consoles.Out, output.ToString());
        return 0;
    }
}
