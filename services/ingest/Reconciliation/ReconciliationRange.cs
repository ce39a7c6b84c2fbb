namespace CoffeeMesh.Ingest.Reconciliation;

/// <summary>The <c>from</c> and <c>to</c> query parameters of /reconciliation: yyyy-MM-dd, from ≤ to, at most <see cref="StoreReconciler.MaxDays"/> days.</summary>
public static class ReconciliationRange
{
    /// <returns>false with the reason in <paramref name="problem"/> when the range is missing or invalid.</returns>
    public static bool TryParse(string? from, string? to, out DateOnly f, out DateOnly t, out string problem)
    {
        problem = "";
        t = default;
        if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", out f) || !DateOnly.TryParseExact(to, "yyyy-MM-dd", out t))
            problem = "from and to are required, as yyyy-MM-dd";
        else if (t < f || t.DayNumber - f.DayNumber >= StoreReconciler.MaxDays)
            problem = $"to must be on or after from, and the range at most {StoreReconciler.MaxDays} days";
        return problem.Length == 0;
    }
}
