using System.ComponentModel;
using Spectre.Console.Cli;

namespace CoffeeMesh.Cli.Commands;

/// <summary>Options of every command that talks to the mesh.</summary>
public class MeshSettings : CommandSettings
{
    [CommandOption("--url <URL>")]
    [Description("Address of the ingest service (default: $COFFEEMESH_INGEST_URL, else http://127.0.0.1:5380)")]
    public string? Url { get; set; }

    public override Spectre.Console.ValidationResult Validate() =>
        Url is null || Uri.TryCreate(Url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"
            ? Spectre.Console.ValidationResult.Success()
            : Spectre.Console.ValidationResult.Error("--url must be an http(s) address like http://127.0.0.1:5380");
}
