using System.Text.Json.Serialization;

namespace CoffeeMesh.Contracts;

/// <summary>
/// A slice of a source file as read: its records as text (each ending in '\n'), parsed into fields
/// by transform. One string instead of thousands of small ones keeps the message cheap to
/// serialise, which is most of what moving a batch costs.
/// </summary>
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
    public required SourceFormat Format { get; init; }
    /// <summary>The records, one per line, in source order (blank lines left out).</summary>
    [JsonConverter(typeof(BatchTextConverter))]
    public required string Text { get; init; }
    /// <summary>The source line number of each record in <see cref="Text"/>.</summary>
    [JsonConverter(typeof(LineNumbersConverter))]
    public required long[] LineNumbers { get; init; }
    /// <summary>Records ingest could not pass on faithfully (invalid UTF-8, too long): quarantined as they are.</summary>
    public IReadOnlyList<LineIssue> Issues { get; init; } = [];
}

/// <summary>The source's separator and where each canonical column (<see cref="SalesColumns"/>) sits.</summary>
public record SourceFormat(char Separator, int[] ColumnMap, int FieldCount);

/// <summary>A record of a batch (by index) with the read error it carries.</summary>
public record LineIssue(int Index, RejectionReason Reason);
