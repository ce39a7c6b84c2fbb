using Microsoft.Extensions.Options;

namespace CoffeeMesh.Ingest;

/// <summary>Refuses, at start, settings the mesh cannot carry out.</summary>
public sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        if (options.BatchSize is < 1 or > IngestOptions.MaxBatchSize)
            return ValidateOptionsResult.Fail($"Ingest:BatchSize is {options.BatchSize}; it must be 1 to {IngestOptions.MaxBatchSize} rows");
        if (options.MaxBatchesAhead is < 0 or > IngestOptions.MaxMaxBatchesAhead)
            return ValidateOptionsResult.Fail($"Ingest:MaxBatchesAhead is {options.MaxBatchesAhead}; it must be 0 (no limit) to {IngestOptions.MaxMaxBatchesAhead}");
        return ValidateOptionsResult.Success;
    }
}
