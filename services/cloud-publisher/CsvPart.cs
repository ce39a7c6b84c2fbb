namespace CoffeeMesh.CloudPublisher;

/// <summary>
/// One date's rows of a batch as a processed CSV, in memory (a batch is at most Ingest:BatchSize
/// rows, about 100 bytes each), with the totals the object records in its metadata.
/// </summary>
public sealed class CsvPart(DateOnly date) : IDisposable
{
    public DateOnly Date { get; } = date;
    /// <summary>The CSV's bytes: header and rows.</summary>
    public MemoryStream Content { get; } = new();
    /// <summary>Data rows (the header not counted).</summary>
    public long Rows { get; set; }
    public long Quantity { get; set; }
    /// <summary>Sum of total_amount (quantity × unit price, converted currency).</summary>
    public decimal Amount { get; set; }

    public void Dispose() => Content.Dispose();
}
