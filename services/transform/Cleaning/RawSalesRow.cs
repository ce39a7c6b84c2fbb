using CoffeeMesh.Contracts;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>
/// One source record, split: <see cref="Fields"/> holds the 11 columns in canonical order, as
/// slices of the batch text (no string per field: transform's hot path allocated most of its
/// memory there). <see cref="ReadError"/> is set when the line could not be read as a record at all.
/// </summary>
public sealed record RawSalesRow(long Line, ReadOnlyMemory<char> RawText, ReadOnlyMemory<char>[] Fields, RejectionReason? ReadError = null)
{
    /// <summary>The record as read; a slice of the batch text until a quarantine needs it as a string.</summary>
    public string Raw => RawText.ToString();

    public string Field(int column) => Fields[column].ToString();
}
