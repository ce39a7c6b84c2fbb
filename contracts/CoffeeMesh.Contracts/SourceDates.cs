namespace CoffeeMesh.Contracts;

/// <summary>What reading one date gave.</summary>
public enum DateReading
{
    /// <summary>A real calendar date.</summary>
    Valid,
    /// <summary>Not a date in any accepted shape, or not a real day (2026/02/30).</summary>
    Invalid,
    /// <summary>A day/month date that is real only in the order the file does not use (13/05/2026 in a month-first file).</summary>
    ContradictsOrder,
}

/// <summary>
/// The date shapes sales exports are written in, and which of them need the file's
/// <see cref="DateOrder"/>. Accepted: year first <c>yyyy/M/d</c> and <c>yyyy-M-d</c>; with slashes
/// <c>M/d/yyyy</c>, <c>M/d/yy</c> or <c>d/M/yyyy</c>, <c>d/M/yy</c> (the file's order decides which);
/// always day first <c>d.M.yyyy</c>, <c>d.M.yy</c> and <c>d-M-yyyy</c>. Day and month have one or two
/// digits. A two-digit year is the latest year ending in those digits that is not after
/// <c>twoDigitYearMax</c> (.NET's calendar rule; 2049 by default: 49 is 2049, 50 is 1950).
/// </summary>
public static class SourceDates
{
    /// <summary>What a date says about the order of day and month in its file.</summary>
    public enum Vote { None, DayFirst, MonthFirst, Ambiguous }

    /// <summary>
    /// A slash date whose first number is above 12 can only be day first, and one whose second is
    /// above 12 only month first; both 12 or below cannot tell. Dotted and dashed dates are day first
    /// by their shape; year-first dates say nothing.
    /// </summary>
    public static Vote VoteOf(ReadOnlySpan<char> text)
    {
        if (!TrySplit(text, out var parts)) return Vote.None;
        if (parts.YearFirst) return Vote.None;
        if (parts.Separator != '/') return Vote.DayFirst;
        return (parts.A > 12, parts.B > 12) switch
        {
            (true, false) => Vote.DayFirst,
            (false, true) => Vote.MonthFirst,
            (false, false) => Vote.Ambiguous,
            _ => Vote.None, // neither order makes it a date
        };
    }

    /// <summary>Reads a date written in one of the accepted shapes, slash dates in <paramref name="order"/>.</summary>
    public static DateReading TryRead(ReadOnlySpan<char> text, DateOrder order, int twoDigitYearMax, out DateOnly date)
    {
        date = default;
        if (!TrySplit(text, out var p)) return DateReading.Invalid;
        int year, month, day;
        if (p.YearFirst) (year, month, day) = (p.C, p.A, p.B);
        else
        {
            year = p.YearDigits == 4 ? p.C : FullYear(p.C, twoDigitYearMax);
            var dayFirst = p.Separator != '/' || order == DateOrder.DayFirst;
            (day, month) = dayFirst ? (p.A, p.B) : (p.B, p.A);
        }
        if (IsDate(year, month, day))
        {
            date = new DateOnly(year, month, day);
            return DateReading.Valid;
        }
        // Real the other way round: the file's order says otherwise, and a row is never re-read against it.
        return !p.YearFirst && p.Separator == '/' && IsDate(year, day, month) ? DateReading.ContradictsOrder : DateReading.Invalid;
    }

    private static int FullYear(int twoDigits, int twoDigitYearMax)
    {
        var year = twoDigitYearMax - twoDigitYearMax % 100 + twoDigits;
        return year > twoDigitYearMax ? year - 100 : year;
    }

    private static bool IsDate(int year, int month, int day) =>
        year is >= 1 and <= 9999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);

    /// <summary>Three numbers with one separator: year first (A = month, B = day, C = year) or year last (A, B, C = year).</summary>
    private readonly record struct Parts(int A, int B, int C, char Separator, bool YearFirst, int YearDigits);

    private static bool TrySplit(ReadOnlySpan<char> s, out Parts parts)
    {
        parts = default;
        if (s.Length is < 6 or > 10) return false;
        var separator = s[s.IndexOfAnyExceptInRange('0', '9') is var i and >= 0 ? i : 0];
        if (separator is not ('/' or '-' or '.')) return false;
        Span<int> values = stackalloc int[3];
        Span<int> digits = stackalloc int[3];
        var n = 0;
        foreach (var range in s.Split(separator))
        {
            if (n == 3) return false;
            var piece = s[range];
            if (piece.IsEmpty || piece.Length > 4 || piece.ContainsAnyExceptInRange('0', '9')) return false;
            var v = 0;
            foreach (var c in piece) v = v * 10 + (c - '0');
            values[n] = v;
            digits[n++] = piece.Length;
        }
        if (n != 3) return false;
        if (digits[0] == 4)
        {
            if (separator == '.' || digits[1] > 2 || digits[2] > 2) return false;
            parts = new Parts(values[1], values[2], values[0], separator, true, 4);
            return true;
        }
        if (digits[0] > 2 || digits[1] > 2 || digits[2] is not (2 or 4)) return false;
        if (separator == '-' && digits[2] != 4) return false; // d-M-yy is too close to yy-M-d to guess
        parts = new Parts(values[0], values[1], values[2], separator, false, digits[2]);
        return true;
    }
}
