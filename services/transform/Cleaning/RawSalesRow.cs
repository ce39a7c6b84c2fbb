using CoffeeMesh.Contracts;

namespace CoffeeMesh.Transform.Cleaning;

/// <summary>
/// One source record, parsed: <see cref="Fields"/> holds the 11 columns in canonical order.
/// <see cref="ReadError"/> is set when the line could not be read as a record at all.
/// </summary>
public record RawSalesRow(long Line, string Raw, string?[] Fields, RejectionReason? ReadError = null);
