namespace CoffeeMesh.Contracts;

/// <summary>
/// The <c>from</c> and <c>to</c> query parameters of the per-day endpoints (reconciliation, the bucket's and the
/// warehouse's /days): dates as yyyy-MM-dd, from ≤ to, at most <c>maxDays</c> days in all.
/// </summary>
public static class DayRange
{
    /// <returns>false, with the reason in <paramref name="problem"/>, when the range is missing or invalid.</returns>
    public static bool TryParse(string? from, string? to, int maxDays, out DateOnly f, out DateOnly t, out string problem)
    {
        problem = "";
        t = default;
        if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", out f) || !DateOnly.TryParseExact(to, "yyyy-MM-dd", out t))
            problem = "from and to are required, as yyyy-MM-dd";
        else if (t < f || t.DayNumber - f.DayNumber >= maxDays)
            problem = $"to must be on or after from, and the range at most {maxDays} days";
        return problem.Length == 0;
    }
}
