using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest;

/// <summary>Refuses, at start, settings the mesh cannot carry out.</summary>
public sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options) =>
        options.BatchSize is >= 1 and <= IngestOptions.MaxBatchSize
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Ingest:BatchSize is {options.BatchSize}; it must be 1 to {IngestOptions.MaxBatchSize} rows");
}
