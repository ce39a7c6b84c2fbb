namespace CoffeeMesh.Contracts;

/// <summary>A slice of a source file, as read: fields mapped by header name, nothing parsed yet.</summary>
public record RawSalesBatch
{
    public required Guid IngestionId { get; init; }
    /// <summary>Increases with every ingestion; with the line number it decides which duplicate wins.</summary>
    public required long IngestionNumber { get; init; }
    /// <summary>0-based, dense per ingestion.</summary>
    public required int Sequence { get; init; }
    public required long FirstLine { get; init; }
    public required long LastLine { get; init; }
    public DateOnly? From { get; init; }
    public DateOnly? To { get; init; }
    public required IReadOnlyList<RawSalesRow> Rows { get; init; }
}

/// <summary>
/// One source record. <see cref="Fields"/> holds the 11 columns in canonical order (see
/// <see cref="SalesColumns"/>). <see cref="ReadError"/> is set when the line could not be read as
/// a record at all (wrong field count, invalid UTF-8, too long): transform quarantines it.
/// </summary>
public record RawSalesRow(long Line, string Raw, string?[] Fields, RejectionReason? ReadError = null);
