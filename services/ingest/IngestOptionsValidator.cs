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
        if (options.MaxLinesPerRecord is < 1 or > 1000)
            return ValidateOptionsResult.Fail($"Ingest:MaxLinesPerRecord is {options.MaxLinesPerRecord}; it must be 1 to 1000 lines");
        if (options.SettleSeconds is < 0 or > 86_400)
            return ValidateOptionsResult.Fail($"Ingest:SettleSeconds is {options.SettleSeconds}; it must be 0 to 86400 seconds");
        if (options.RecountAfterSeconds is < 1 or > 86_400)
            return ValidateOptionsResult.Fail($"Ingest:RecountAfterSeconds is {options.RecountAfterSeconds}; it must be 1 to 86400 seconds");
        return ValidateOptionsResult.Success;
    }
}
