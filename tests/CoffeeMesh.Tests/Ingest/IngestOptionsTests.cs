using CoffeeMesh.Ingest;

namespace CoffeeMesh.Tests.Ingest;

public class IngestOptionsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5000)]
    [InlineData(IngestOptions.MaxBatchSize)]
    public void Ingest_accepts_a_batch_size_the_mesh_can_carry(int batchSize) =>
        Assert.True(new IngestOptionsValidator().Validate(null, new IngestOptions { BatchSize = batchSize }).Succeeded);

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(20_000)] // ran transform out of its heap
    public void Ingest_refuses_to_start_with_a_batch_size_out_of_range(int batchSize)
    {
        var result = new IngestOptionsValidator().Validate(null, new IngestOptions { BatchSize = batchSize });

        Assert.True(result.Failed);
        Assert.Contains("Ingest:BatchSize", result.FailureMessage);
    }
}
