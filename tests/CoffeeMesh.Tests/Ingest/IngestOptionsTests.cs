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

    [Theory]
    [InlineData(0)] // no limit
    [InlineData(20)]
    public void Ingest_accepts_a_read_ahead_limit_of_zero_or_more(int maxBatchesAhead) =>
        Assert.True(new IngestOptionsValidator().Validate(null, new IngestOptions { MaxBatchesAhead = maxBatchesAhead }).Succeeded);

    [Fact]
    public void Ingest_refuses_to_start_with_a_negative_read_ahead_limit()
    {
        var result = new IngestOptionsValidator().Validate(null, new IngestOptions { MaxBatchesAhead = -1 });

        Assert.True(result.Failed);
        Assert.Contains("Ingest:MaxBatchesAhead", result.FailureMessage);
    }
}
