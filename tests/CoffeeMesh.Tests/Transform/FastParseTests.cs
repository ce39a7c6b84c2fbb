using System.Globalization;
using CoffeeMesh.Transform.Cleaning;

namespace CoffeeMesh.Tests.Transform;

/// <summary>The quick parsers answer exactly as the general ones, or leave the value to them.</summary>
public sealed class FastParseTests
{
    [Theory]
    [InlineData("12")] [InlineData("12.0")] [InlineData("12.000")] [InlineData("0")] [InlineData("007")] [InlineData("12.")]
    [InlineData(".0")] [InlineData("12.5")] [InlineData("999999999999999999")] [InlineData("9999999999999999999")] [InlineData("1e3")]
    public void Quick_whole_numbers_agree_with_decimal_parsing(string text)
    {
        if (!FastParse.TryWholeNumber(text, out var quick)) return;
        Assert.True(decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var general));
        Assert.Equal(general, quick);
    }

    [Theory]
    [InlineData("2.45")] [InlineData("0.80")] [InlineData("3")] [InlineData("3.000")] [InlineData(".5")] [InlineData("007.5")]
    [InlineData("3.")] [InlineData("1.2.3")] [InlineData("-1")] [InlineData("123456789012345678")] [InlineData("0.0000000000000000001")]
    public void Quick_prices_agree_with_decimal_parsing_to_the_scale(string text)
    {
        if (!FastParse.TryDecimal(text, out var quick)) return;
        Assert.True(decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var general));
        // ToString shows the scale: 0.80 and 0.8 are equal but render differently in the TSV.
        Assert.Equal(general.ToString(CultureInfo.InvariantCulture), quick.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("2025/01/31")] [InlineData("2024/02/29")] [InlineData("2025/02/29")] [InlineData("2025/13/01")] [InlineData("0000/01/01")]
    [InlineData("9999/12/31")] [InlineData("2025-01-31")] [InlineData("2025/1/31")] [InlineData("2O25/01/31")]
    public void Quick_dates_agree_with_exact_date_parsing(string text)
    {
        if (!FastParse.TryDate(text, '/', out var quick)) return;
        Assert.Equal(DateOnly.ParseExact(text, "yyyy/MM/dd", CultureInfo.InvariantCulture), quick);
    }

    [Theory]
    [InlineData("06:00:45")] [InlineData("23:59:59")] [InlineData("24:00:00")] [InlineData("12:60:00")] [InlineData("6:00:45")] [InlineData("06-00-45")]
    public void Quick_times_agree_with_exact_time_parsing(string text)
    {
        if (!FastParse.TryTime(text, out var quick)) return;
        Assert.Equal(TimeOnly.ParseExact(text, "HH:mm:ss", CultureInfo.InvariantCulture), quick);
    }

    [Fact]
    public void Quick_parsers_refuse_what_the_general_ones_refuse()
    {
        Assert.False(FastParse.TryDate("2025/02/29", '/', out _));
        Assert.False(FastParse.TryTime("24:00:00", out _));
        Assert.False(FastParse.TryWholeNumber("12.5", out _));
        Assert.False(FastParse.TryDecimal("-1", out _));
    }
}
