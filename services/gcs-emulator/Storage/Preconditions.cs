using CoffeeMesh.GcsEmulator.Api;

namespace CoffeeMesh.GcsEmulator.Storage;

/// <summary>
/// GCS's generation/metageneration preconditions on one object. <c>ifGenerationMatch=0</c> holds only when the
/// object has no live generation; any other match needs a live object; the "not match" ones hold when there is none.
/// </summary>
public sealed record Preconditions(
    long? IfGenerationMatch = null,
    long? IfGenerationNotMatch = null,
    long? IfMetagenerationMatch = null,
    long? IfMetagenerationNotMatch = null)
{
    public static readonly Preconditions None = new();

    /// <summary>Reads <c>ifGenerationMatch</c> etc. (or, with <paramref name="prefix"/> "ifSource", the source ones) from a query.</summary>
    /// <exception cref="GcsException">400 when a value is not an integer.</exception>
    public static Preconditions FromQuery(IQueryCollection query, string prefix = "if") => new(
        Long(query, $"{prefix}GenerationMatch"),
        Long(query, $"{prefix}GenerationNotMatch"),
        Long(query, $"{prefix}MetagenerationMatch"),
        Long(query, $"{prefix}MetagenerationNotMatch"));

    /// <summary>Throws 412 unless every precondition holds for <paramref name="current"/> (null: no live object).</summary>
    /// <param name="notModifiedOnNotMatch">Reads answer a failed "not match" with 304, as GCS does.</param>
    public void Check(ObjectRecord? current, bool notModifiedOnNotMatch = false)
    {
        if (IfGenerationMatch is { } g && (g == 0 ? current is not null : current?.Generation != g))
            throw GcsException.ConditionNotMet();
        if (IfMetagenerationMatch is { } m && current?.Metageneration != m)
            throw GcsException.ConditionNotMet();
        var notMatchFailed =
            (IfGenerationNotMatch is { } ng && current is not null && current.Generation == ng) ||
            (IfMetagenerationNotMatch is { } nm && current is not null && current.Metageneration == nm);
        if (notMatchFailed)
            throw notModifiedOnNotMatch ? new GcsException(304, "notModified", "Not Modified") : GcsException.ConditionNotMet();
    }

    internal static long? Long(IQueryCollection query, string name)
    {
        var text = query[name].ToString();
        if (text.Length == 0) return null;
        return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw GcsException.Invalid($"Invalid argument for {name}: '{text}' is not an integer.");
    }
}
