using CoffeeMesh.Contracts;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>
/// One source record, parsed: <see cref="Fields"/> holds the 11 columns in canonical order.
/// <see cref="ReadError"/> is set when the line could not be read as a record at all.
/// </summary>
public record RawSalesRow(long Line, ReadOnlyMemory<char> RawText, string?[] Fields, RejectionReason? ReadError = null)
{
    /// <summary>The record as read; a slice of the batch text until a quarantine needs it as a string.</summary>
    public string Raw => RawText.ToString();
}
