using CoffeeMesh.OlapSync;

namespace CoffeeMesh.Tests.OlapSync;

public sealed class FactLinesTests
{
    private static string Line(int id, int date, int store, int product) =>
        $"{id}_{date}\t{date}\t63045\t{store}\t{product}\t2\t6.00\t{(1L << 32) + id}";

    [Fact]
    public void Fact_lines_collect_the_dates_stores_and_products_they_name()
    {
        using var facts = new FactLines();
        facts.Add(Line(1, 20250101, 3, 22));
        facts.Add(Line(2, 20250101, 5, 87));
        facts.Add(Line(3, 20250102, 3, 22));

        Assert.Equal(3, facts.Count);
        Assert.Equal([20250101, 20250102], facts.Dates.Order());
        Assert.Equal([3, 5], facts.Stores.Order());
        Assert.Equal([22, 87], facts.Products.Order());
    }

    [Fact]
    public void Fact_lines_keep_every_line_in_order_beyond_their_first_buffer()
    {
        using var facts = new FactLines();
        var lines = Enumerable.Range(1, 10_000).Select(i => Line(i, 20250101 + i % 28, i % 3 + 3, i % 80 + 1)).ToList();
        foreach (var line in lines) facts.Add(line);

        Assert.True(facts.Text.Length > 256 * 1024); // the first buffer had to grow
        Assert.Equal(string.Join("", lines.Select(l => l + "\n")), facts.Text.ToString());
        Assert.Equal(28, facts.Dates.Count);
        Assert.Equal(80, facts.Products.Count);
    }
}
