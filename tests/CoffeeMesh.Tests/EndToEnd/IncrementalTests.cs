using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>Scheduled pick-up from incoming/: new files once, appended rows only, renamed copies never.</summary>
[Collection(nameof(LandingScans))]
public sealed class IncrementalTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task A_new_file_is_picked_up_once_its_appended_rows_only_and_a_renamed_copy_never()
    {
        var dir = Path.Combine(mesh.Landing, "incoming", "shop-7");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "sales.csv");
        await File.WriteAllTextAsync(path, Csv.Header + string.Concat(Enumerable.Range(1, 30).Select(i => Csv.Row(50000 + i, "2025/07/01"))));

        var first = Assert.Single(await mesh.ScanAsync());
        var s1 = await mesh.WaitAsync(first);
        Assert.Equal(30, s1["rows_read"]!.GetValue<long>());
        Assert.Empty(await mesh.ScanAsync()); // nothing new

        // Appended rows, plus a half-written line that must wait for its line feed.
        var lastRow = Csv.Row(50036, "2025/07/01");
        await File.AppendAllTextAsync(path, string.Concat(Enumerable.Range(31, 5).Select(i => Csv.Row(50000 + i, "2025/07/01"))) + lastRow[..16]);
        var second = Assert.Single(await mesh.ScanAsync());
        var s2 = await mesh.WaitAsync(second);
        Assert.Equal("completed", s2["state"]!.GetValue<string>());
        Assert.Equal(5, s2["rows_read"]!.GetValue<long>());
        Assert.Equal(5, s2["stored_oltp"]!.GetValue<long>());

        // The rest of the line arrives: exactly one more row, with its true line number (row_version's low 32 bits).
        await File.AppendAllTextAsync(path, lastRow[16..]);
        var third = await mesh.WaitAsync(Assert.Single(await mesh.ScanAsync()));
        Assert.Equal(1, third["rows_read"]!.GetValue<long>());
        Assert.Equal(37, await mesh.CountAsync("SELECT row_version & 0xFFFFFFFF FROM sales WHERE transaction_id = '50036_20250701'"));

        // A renamed copy of the whole file is recognised by its content.
        File.Copy(path, Path.Combine(dir, "sales-copy.csv"));
        Assert.Empty(await mesh.ScanAsync());
        Assert.Equal(36, await mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_date = '2025-07-01'"));
    }
}
