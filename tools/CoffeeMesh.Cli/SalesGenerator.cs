using System.Globalization;
using System.Text;

namespace CoffeeMesh.Cli;

/// <summary>Settings of one generated file.</summary>
public sealed record GeneratorSettings(long Rows, DateOnly Start, int Days, double DirtyFraction, int Seed);

/// <summary>
/// Writes synthetic sales in the raw export format (';', dates yyyy/MM/dd, numbers as floats),
/// streaming: memory does not grow with the row count. Deterministic for a seed. Dirty rows, when
/// asked for, are drawn from several kinds and counted per kind.
/// </summary>
public sealed class SalesGenerator(GeneratorSettings settings)
{
    public const string Header = "transaction_id;transaction_date;transaction_time;transaction_qty;store_id;store_location;product_id;unit_price;product_category;product_type;product_detail";

    public static readonly string[] DirtyKinds =
    [
        "missing_date", "impossible_date", "impossible_time", "fractional_id", "non_numeric_qty", "zero_qty",
        "negative_price", "unknown_store", "missing_product_detail", "too_few_fields", "too_many_fields",
    ];

    public Dictionary<string, long> DirtyCounts { get; } = DirtyKinds.ToDictionary(k => k, _ => 0L);

    public void Write(TextWriter output)
    {
        var random = new Random(settings.Seed);
        var products = Catalogue.Products;
        var productWeights = Cumulative(products.Select(p => p.Popularity));
        var storeWeights = Cumulative(Catalogue.Stores.Select(s => s.Share));
        var perDay = DailyCounts(random);
        var line = new StringBuilder(160);
        output.Write(Header);
        output.Write('\n');

        long id = 0;
        var times = new List<int>();
        for (var day = 0; day < settings.Days; day++)
        {
            var date = settings.Start.AddDays(day);
            times.Clear();
            for (var i = 0; i < perDay[day]; i++) times.Add(SecondOfDay(random));
            times.Sort();
            foreach (var second in times)
            {
                id++;
                var store = Catalogue.Stores[Pick(storeWeights, random)];
                var product = products[Pick(productWeights, random)];
                var qty = random.NextDouble() switch { < 0.60 => 1, < 0.95 => 2, < 0.99 => 3, _ => 4 + random.Next(5) };
                line.Clear();
                line.Append(id).Append(".0;")
                    .Append(date.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture)).Append(';')
                    .Append(TimeOnly.FromTimeSpan(TimeSpan.FromSeconds(second)).ToString("HH:mm:ss", CultureInfo.InvariantCulture)).Append(';')
                    .Append(qty).Append(".0;")
                    .Append(store.Id).Append(".0;")
                    .Append(store.Location).Append(';')
                    .Append(product.Id).Append(".0;")
                    .Append(product.Price.ToString("0.0#", CultureInfo.InvariantCulture)).Append(';')
                    .Append(product.Category).Append(';')
                    .Append(product.Type).Append(';')
                    .Append(product.Detail);
                if (settings.DirtyFraction > 0 && random.NextDouble() < settings.DirtyFraction) Dirty(line, random);
                output.Write(line);
                output.Write('\n');
            }
        }
    }

    /// <summary>Rows per day: a weekly rhythm, a slow upward trend and some noise, summing to exactly the rows asked for.</summary>
    private long[] DailyCounts(Random random)
    {
        var weights = new double[settings.Days];
        for (var d = 0; d < settings.Days; d++)
        {
            var weekday = settings.Start.AddDays(d).DayOfWeek;
            var rhythm = weekday is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.8 : weekday == DayOfWeek.Friday ? 1.1 : 1.0;
            weights[d] = rhythm * (1 + 0.5 * d / Math.Max(1, settings.Days)) * (0.9 + 0.2 * random.NextDouble());
        }
        var total = weights.Sum();
        var counts = weights.Select(w => (long)Math.Floor(settings.Rows * w / total)).ToArray();
        var missing = settings.Rows - counts.Sum();
        for (var d = 0; missing > 0; d = (d + 1) % settings.Days, missing--) counts[d]++;
        return counts;
    }

    /// <summary>Open 06:00-21:00 with a morning rush around 08:30 and a smaller lunch peak.</summary>
    private static int SecondOfDay(Random random)
    {
        while (true)
        {
            var u = random.NextDouble();
            var hour = u < 0.45 ? 8.5 + Gaussian(random) * 1.1
                : u < 0.65 ? 12.5 + Gaussian(random) * 1.0
                : 6 + random.NextDouble() * 15;
            if (hour is >= 6 and < 21) return (int)(hour * 3600);
        }
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private void Dirty(StringBuilder line, Random random)
    {
        var kind = DirtyKinds[random.Next(DirtyKinds.Length)];
        DirtyCounts[kind]++;
        var fields = line.ToString().Split(';');
        switch (kind)
        {
            case "missing_date": fields[1] = ""; break;
            case "impossible_date": fields[1] = fields[1][..5] + "02/30"; break;
            case "impossible_time": fields[2] = "25:61:00"; break;
            case "fractional_id": fields[0] = fields[0].Replace(".0", ".5"); break;
            case "non_numeric_qty": fields[3] = "two"; break;
            case "zero_qty": fields[3] = "0.0"; break;
            case "negative_price": fields[7] = "-" + fields[7]; break;
            case "unknown_store": fields[4] = "99.0"; fields[5] = ""; break;
            case "missing_product_detail": fields[10] = ""; break;
            case "too_few_fields": fields = fields[..7]; break;
            case "too_many_fields": fields = [.. fields, "extra"]; break;
        }
        line.Clear().AppendJoin(';', fields);
    }

    private static double[] Cumulative(IEnumerable<double> weights)
    {
        var list = weights.ToArray();
        var sum = list.Sum();
        var acc = 0.0;
        return list.Select(w => acc += w / sum).ToArray();
    }

    private static int Pick(double[] cumulative, Random random)
    {
        var i = Array.BinarySearch(cumulative, random.NextDouble());
        return Math.Min(i < 0 ? ~i : i, cumulative.Length - 1);
    }
}
