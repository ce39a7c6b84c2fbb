using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using CoffeeMesh.Cli.Export;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CoffeeMesh.Cli.Commands;

/// <summary>
/// <c>export --from DATE --to DATE --out FILE|gs://BUCKET/PATH</c>: the sales of a date range, read
/// from MySQL (ConnectionStrings__oltp), as the old pipeline's processed CSV (<see cref="ProcessedExport"/>).
/// The output holds exactly that range and replaces what was there: a rerun rewrites the file or
/// overwrites the object. Exit 0 when written; 1 when MySQL or the bucket failed.
/// </summary>
public sealed class ExportCommand(CliConsoles consoles) : AsyncCommand<ExportCommand.Settings>
{
    /// <summary>The environment variable holding MySQL's connection string (as the services read it).</summary>
    public const string ConnectionVariable = "ConnectionStrings__oltp";

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--from <DATE>", isRequired: true)]
        [Description("First day, yyyy-MM-dd")]
        public string From { get; set; } = "";

        [CommandOption("--to <DATE>", isRequired: true)]
        [Description("Last day, yyyy-MM-dd (inclusive)")]
        public string To { get; set; } = "";

        [CommandOption("--out <FILE|gs://BUCKET/PATH>", isRequired: true)]
        [Description("File to (re)write, or GCS object to (over)write")]
        public string Out { get; set; } = "";

        [CommandOption("--gcs-url <URL>")]
        [Description("For gs://: a GCS emulator's JSON API, e.g. http://127.0.0.1:4443/storage/v1/ (default: $COFFEEMESH_GCS_URL; " +
                     "unset: Google Cloud Storage with Application Default Credentials)")]
        public string? GcsUrl { get; set; }

        public override ValidationResult Validate()
        {
            if (!OptionValues.TryDate(From, out var from) || from is null) return ValidationResult.Error("--from must be a date like 2025-01-31");
            if (!OptionValues.TryDate(To, out var to) || to is null) return ValidationResult.Error("--to must be a date like 2025-01-31");
            if (from > to) return ValidationResult.Error("--from is after --to");
            if (ExportTarget.Parse(Out, out var error) is null) return ValidationResult.Error(error!);
            if (GcsUrl is not null && !(Uri.TryCreate(GcsUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
                return ValidationResult.Error("--gcs-url must be an http(s) address like http://127.0.0.1:4443/storage/v1/");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken ct)
    {
        if (Environment.GetEnvironmentVariable(ConnectionVariable) is not { Length: > 0 } connection)
        {
            CliConsoles.WriteRaw(consoles.Error, $"error: {ConnectionVariable} is not set: export reads MySQL directly " +
                                                 "(./coffeemesh export takes it from .infra/connections.env)");
            return 1;
        }
        var from = OptionValues.Date(settings.From)!.Value;
        var to = OptionValues.Date(settings.To)!.Value;
        var target = ExportTarget.Parse(settings.Out, out _)!;
        var gcsUrl = settings.GcsUrl ?? Environment.GetEnvironmentVariable("COFFEEMESH_GCS_URL");
        var stopwatch = Stopwatch.StartNew();
        var totals = await target.WriteAsync((stream, c) => ProcessedExport.WriteAsync(connection, from, to, stream, c), gcsUrl, ct);
        CliConsoles.WriteRaw(consoles.Out, string.Create(CultureInfo.InvariantCulture,
            $"exported {totals.Rows} rows of {from:yyyy-MM-dd} to {to:yyyy-MM-dd} (quantity {totals.Quantity}, amount {totals.Amount:0.00}) " +
            $"to {target} in {stopwatch.Elapsed.TotalSeconds:0.0}s"));
        return 0;
    }
}
