using System.Text.Json.Serialization;

namespace CoffeeMesh.Contracts;

/// <summary>
/// A slice of a source file as read: its records as text (each ending in '\n'), parsed into fields
/// by transform. One string instead of thousands of small ones keeps the message cheap to
/// serialise, which is most of what moving a batch costs.
/// </summary>
public record RawSalesBatch : IBatchMessage
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
    /// <summary>
    /// Records that span several source lines (a quoted field holding line breaks, RFC 4180): their
    /// lines are joined by '\n' in <see cref="Text"/>, so such a record takes that many '\n'-ended
    /// pieces of the text. Every other record is one piece.
    /// </summary>
    public IReadOnlyList<MultiLineRecord> MultiLineRecords { get; init; } = [];
}

/// <summary>
/// How a source file is written, decided by ingest from the file itself: the separator, where each
/// canonical column (<see cref="SalesColumns"/>) sits, and the conventions its values follow.
/// </summary>
public record SourceFormat(char Separator, int[] ColumnMap, int FieldCount)
{
    /// <summary>How a date written a/b/year is read: decided for the whole file by its rows, or assumed (<see cref="DateOrderAssumed"/>).</summary>
    public DateOrder DateOrder { get; init; } = DateOrder.MonthFirst;
    /// <summary>The file has day/month dates whose order none of its rows decides: <see cref="DateOrder"/> is the configured default.</summary>
    public bool DateOrderAssumed { get; init; }
    /// <summary>'.' or ','; ',' only where the separator is not a comma.</summary>
    public char DecimalMark { get; init; } = '.';
    /// <summary>Raw export, or the old pipeline's processed output (ids, prices and stores already converted).</summary>
    public SourceShape Shape { get; init; } = SourceShape.Raw;
    /// <summary>"CRLF", "LF" or "CR": what the file's first line ends with (reported, not needed to read it).</summary>
    public string LineEnding { get; init; } = "LF";

    /// <summary>
    /// Whether a record of <paramref name="count"/> fields is one of this file's: the header's count,
    /// or one more when that last field is blank (spreadsheets add a trailing separator), or one
    /// fewer when the header's last column is an unused blank one.
    /// </summary>
    public bool Fits(int count, bool lastFieldBlank) =>
        count == FieldCount
        || (count == FieldCount + 1 && lastFieldBlank)
        || (count == FieldCount - 1 && Array.IndexOf(ColumnMap, FieldCount - 1) < 0);
}

/// <summary>The order of day and month in a date such as 02/03/2026.</summary>
public enum DateOrder { MonthFirst, DayFirst }

/// <summary>What a file holds: the raw export, or a file the pipeline (or the old one) already cleaned.</summary>
public enum SourceShape { Raw, Processed }

/// <summary>A record of a batch (by index) that spans <see cref="Lines"/> source lines.</summary>
public record MultiLineRecord(int Index, int Lines);

/// <summary>A record of a batch (by index) with the read error it carries.</summary>
public record LineIssue(int Index, RejectionReason Reason);
