using System.Text;
using CoffeeMesh.Tests.Infrastructure;
using MySqlConnector;
using Npgsql;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>
/// No row rewrites history: after good sales are stored, no later file (hostile or a real change of
/// attributes, dated after them or before) changes the store and product attributes those sales
/// show, in MySQL's sales_data or in the star schema.
/// </summary>
public sealed class HistoryTests(MeshFixture mesh) : MeshTests(mesh)
{
    private const string Header = "transaction_id;transaction_date;transaction_time;transaction_qty;store_id;store_location;product_id;unit_price;product_category;product_type;product_detail";

    /// <summary>The products of this test (ids no other test uses) with their true attributes.</summary>
    private static readonly (int Id, string Category, string Type, string Detail, string Price)[] Products =
    [
        (859, "Drinking Chocolate", "Hot chocolate", "Dark chocolate Lg", "4.5"),
        (857, "Tea", "Brewed Chai tea", "Spicy Eye Opener Chai Lg", "3.1"),
        (832, "Coffee", "Gourmet brewed coffee", "Ethiopia Rg", "3"),
    ];

    private static readonly (int Id, string Name)[] Stores = [(3, "Astoria"), (5, "Lower Manhattan"), (8, "Hell's Kitchen")];

    private static string Row(long id, string date, int product, int store, string? detail = null, string? type = null) =>
        $"{id};{date};08:{id % 60:D2}:00;1;{Stores[store].Id};{Stores[store].Name};{Products[product].Id};{Products[product].Price};" +
        $"{Products[product].Category};{type ?? Products[product].Type};{detail ?? Products[product].Detail}";

    [Fact]
    public async Task No_later_file_changes_the_attributes_earlier_sales_show_in_either_store()
    {
        var good = Enumerable.Range(0, 90).Select(i => Row(8_960_000 + i, "2026/04/10", i % 3, i % 3)).ToList();
        await IngestAsync("history-good.csv", Header + "\n" + string.Join("\n", good) + "\n");
        var ids = Enumerable.Range(0, 90).Select(i => $"{8_960_000 + i}_20260410").ToArray();
        var mysqlBefore = await MySqlAttributesAsync(ids);
        var starBefore = await StarSchemaAttributesAsync(ids);
        Assert.Equal(90, mysqlBefore.Count);
        Assert.Equal(mysqlBefore, starBefore);

        var hostile = new (string Name, string Content)[]
        {
            // Missing-value markers written as text where the product's name belongs.
            ("markers", Header + "\n" + string.Join("\n", new[] { "NULL", "\\N", "NaN", " nan ", "None", "N/A" }
                .Select((m, i) => Row(8_961_000 + i, "2026/04/11", 0, 0, detail: m))) + "\n"),
            // A spreadsheet's Alt+Enter inside a quoted name: one record, never "Dark chocolate" alone.
            ("line-break", Header + "\r\n" + Row(8_961_100, "2026/04/12", 0, 1, detail: "\"Dark chocolate\nLg\"") + "\r\n" +
                           Row(8_961_101, "2026/04/12", 1, 1, detail: "\"Spicy Eye Opener\r\nChai Lg\"") + "\r\n"),
            // Two exports concatenated, the second with product_type and product_detail swapped in its header and rows.
            ("concatenated", Header + "\n" + Row(8_961_200, "2026/04/13", 2, 2) + "\n" +
                             Header.Replace("product_type;product_detail", "product_detail;product_type") + "\n" +
                             string.Join("\n", Enumerable.Range(1, 3).Select(i => SwapLastTwo(Row(8_961_200 + i, "2026/04/13", i % 3, 2)))) + "\n"),
            // A stray quote that never closes, then good rows.
            ("stray-quote", Header + "\n" + Row(8_961_300, "2026/04/14", 0, 0, detail: "\"Dark chocolate Lg") + "\n" +
                            string.Join("\n", Enumerable.Range(1, 20).Select(i => Row(8_961_300 + i, "2026/04/14", i % 3, i % 3))) + "\n"),
            // The old pipeline's own processed output for the same products.
            ("processed", "transaction_id,transaction_date,transaction_time,transaction_qty,store_id,store_location,product_id,unit_price,product_category,product_type,product_detail\n" +
                          "8961400_20260415,2026-04-15,09:00:00,1.0,8,East Campus,859,67.5,Drinking Chocolate,Hot chocolate,Dark chocolate Lg\n"),
            // A real rename after the good sales, and an older name found in a back-dated file: both
            // become versions of their own; neither touches the sales in between.
            ("renamed-later", Header + "\n" + Row(8_961_500, "2026/04/20", 0, 0, detail: "Dark chocolate Large") + "\n"),
            ("renamed-before", Header + "\n" + Row(8_961_600, "2026/03/01", 1, 1, detail: "Spicy Eye-Opener Chai Lg") + "\n"),
            // The catalogue decides a store's name whatever the row says.
            ("store-names", Header + "\n" + Row(8_961_700, "2026/04/16", 2, 0).Replace(";3;Astoria;", ";32;Astoria;") + "\n" +
                            Row(8_961_701, "2026/04/16", 2, 0).Replace(";Astoria;", ";Brooklyn;") + "\n"),
        };
        foreach (var (name, content) in hostile)
        {
            await IngestAsync($"history-{name}.csv", content);
            Assert.True(mysqlBefore.SequenceEqual(await MySqlAttributesAsync(ids)), $"after '{name}', an earlier sale shows other attributes in MySQL");
            Assert.True(starBefore.SequenceEqual(await StarSchemaAttributesAsync(ids)), $"after '{name}', an earlier sale shows other attributes in the star schema");
        }

        // The real rename is a new version from its sale on, and the current attributes say so.
        Assert.Equal("Dark chocolate Large", await mesh.OltpScalarAsync<string>("SELECT product_detail FROM products WHERE product_id = 859"));
        Assert.Equal("Dark chocolate Large", await mesh.OltpScalarAsync<string>("SELECT product_detail FROM sales_data_current WHERE transaction_id = '8960000_20260410'"));
        Assert.Equal("Dark chocolate Lg", await mesh.OltpScalarAsync<string>("SELECT product_detail FROM sales_data WHERE transaction_id = '8960000_20260410'"));
        // The older name is a version before the good one, ending where it begins.
        Assert.Equal(2, await mesh.CountAsync("SELECT COUNT(*) FROM product_versions WHERE product_id = 857"));
        Assert.Equal(1, await mesh.CountAsync("SELECT COUNT(*) FROM product_versions WHERE product_id = 857 AND NOT is_current " +
                                              "AND product_detail = 'Spicy Eye-Opener Chai Lg' AND valid_to = '2026-04-10 08:00:00'"));
        Assert.Equal(1, await mesh.OlapCountAsync("SELECT COUNT(*) FROM dim_product WHERE product_id = 859 AND is_current AND product_detail = 'Dark chocolate Large' AND valid_from = '2026-04-20 08:20:00'"));
    }

    private static string SwapLastTwo(string row)
    {
        var f = row.Split(';');
        (f[^1], f[^2]) = (f[^2], f[^1]);
        return string.Join(';', f);
    }

    private async Task IngestAsync(string name, string content)
    {
        await File.WriteAllBytesAsync(Path.Combine(mesh.Landing, name), Encoding.UTF8.GetBytes(content));
        var status = await mesh.IngestAsync(name);
        Assert.True(status["state"]!.GetValue<string>() == "completed", status.ToJsonString());
    }

    private async Task<List<string>> MySqlAttributesAsync(string[] ids)
    {
        await using var c = await mesh.OpenOltpAsync();
        await using var cmd = new MySqlCommand(
            "SELECT transaction_id, store_id, store_location, product_id, unit_price, product_category, product_type, product_detail FROM sales_data " +
            $"WHERE transaction_id IN ({string.Join(',', ids.Select((_, i) => $"@t{i}"))}) ORDER BY transaction_id", c);
        for (var i = 0; i < ids.Length; i++) cmd.Parameters.AddWithValue($"@t{i}", ids[i]);
        return await LinesAsync(cmd);
    }

    private async Task<List<string>> StarSchemaAttributesAsync(string[] ids)
    {
        await using var c = new NpgsqlConnection(mesh.OlapConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT f.transaction_id, s.store_id, s.store_location, p.product_id, p.unit_price, p.product_category, p.product_type, p.product_detail " +
            "FROM fact_sales f JOIN dim_store s ON s.store_key = f.store_key JOIN dim_product p ON p.product_key = f.product_key " +
            "WHERE f.transaction_id = ANY(@ids) ORDER BY f.transaction_id COLLATE \"C\"", c);
        cmd.Parameters.AddWithValue("ids", ids);
        return await LinesAsync(cmd);
    }

    private static async Task<List<string>> LinesAsync(System.Data.Common.DbCommand cmd)
    {
        var lines = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
            lines.Add(string.Join('|', Enumerable.Range(0, r.FieldCount).Select(i => r.GetValue(i) is decimal d ? d.ToString("0.00") : r.GetValue(i).ToString())));
        return lines;
    }
}
