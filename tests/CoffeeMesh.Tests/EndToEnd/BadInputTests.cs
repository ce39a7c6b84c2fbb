using System.Text;
using System.Text.Json.Nodes;
using CoffeeMesh.Tests.Infrastructure;
using MySqlConnector;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>Messy input end to end: bad rows are quarantined with reasons, bad sources fail clearly.</summary>
public sealed class BadInputTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task Every_kind_of_bad_row_is_quarantined_with_its_reason_and_good_rows_are_stored()
    {
        const string d = "2025/06/01";
        var good = Enumerable.Range(1, 20).Select(i => Csv.Row(40000 + i, d)).ToList();
        var bad = new (string Line, string Reason)[]
        {
            (Csv.Row(40101, ""), "missing_transaction_date"),
            (Csv.Row(40102, "2025/02/30"), "invalid_date"),
            (Csv.Row(40103, d, time: "25:00:00"), "invalid_time"),
            (Csv.Row(0, d, idText: "40104.5"), "invalid_transaction_id"),
            (Csv.Row(0, d, idText: "abc"), "invalid_transaction_id"),
            (Csv.Row(40106, d, qty: "0.0"), "invalid_qty"),
            (Csv.Row(40107, d, qty: "two"), "invalid_qty"),
            (Csv.Row(40108, d, price: "-3.0"), "invalid_price"),
            (Csv.Row(40109, d, location: "Brooklyn", storeId: "11.0"), "unknown_store_id"),
            (Csv.Row(40116, d, location: "Brooklyn", storeId: "3.0"), "unknown_store_location"),
            (Csv.Row(40110, d, location: "Astoria", storeId: "8.0"), "store_location_mismatch"),
            (Csv.Row(40111, d, location: "", storeId: "99.0"), "unknown_store_id"),
            (Csv.Row(40112, d, detail: ""), "missing_product_detail"),
            ("40113.0;2025/06/01;07:00:00\n", "field_count"),
            (Csv.Row(40114, d, detail: new string('x', 1024 * 1024)), "line_too_long"),
        };
        var lines = new List<string>(good);
        for (var i = 0; i < bad.Length; i++) lines.Insert(1 + i * 2 % lines.Count, bad[i].Line);
        var bytes = Encoding.UTF8.GetBytes(Csv.Header + string.Concat(lines))
            .Concat(new byte[] { 0x34, 0x30, 0x31, 0x31, 0x35, 0x3B, 0xFF, 0xFE, (byte)'\n' }).ToArray(); // invalid UTF-8
        await File.WriteAllBytesAsync(Path.Combine(mesh.Landing, "bad-rows.csv"), bytes);

        var status = await mesh.IngestAsync("bad-rows.csv");

        Assert.Equal("completed", status["state"]!.GetValue<string>());
        Assert.Equal(36, status["rows_read"]!.GetValue<long>());
        Assert.Equal(20, status["accepted"]!.GetValue<long>());
        Assert.Equal(16, status["quarantined"]!.GetValue<long>());
        Assert.Equal(20, status["stored_oltp"]!.GetValue<long>());
        Assert.True(status["balanced"]!.GetValue<bool>());
        var expected = bad.Select(b => b.Reason).Append("invalid_utf8").GroupBy(r => r).ToDictionary(g => g.Key, g => (long)g.Count());
        var actual = status["quarantined_by_reason"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<long>());
        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));

        // Durable quarantine: line number, raw line and reason in MySQL.
        await using var c = await mesh.OpenOltpAsync();
        await using var cmd = new MySqlCommand(
            "SELECT q.source_line, q.raw_line, r.reason FROM quarantined_row q JOIN quarantine_reason r USING (ingestion_id, source_line) " +
            "WHERE q.ingestion_id = @id AND r.reason = 'invalid_time'", c);
        cmd.Parameters.AddWithValue("@id", status["ingestion_id"]!.GetValue<Guid>());
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Contains("25:00:00", reader.GetString(1));
        Assert.True(reader.GetInt64(0) > 1);
    }

    [Theory]
    [InlineData("empty.csv", "", "empty")]
    [InlineData("wrong-header.csv", "name;email\nann;a@b.c\n", "missing required columns")]
    [InlineData("binary.csv", "\0\u0001\u0002garbage\0", "binary")]
    public async Task A_source_that_cannot_be_read_fails_with_a_clear_error_and_leaves_data_intact(string name, string content, string error)
    {
        mesh.WriteLandingFile("earlier.csv", Csv.Header + string.Concat(Enumerable.Range(1, 50).Select(i => Csv.Row(60000 + i, "2025/09/01"))));
        await mesh.IngestAsync("earlier.csv");
        var before = await SalesChecksum.StoredAsync(mesh.OltpConnectionString, date: new DateOnly(2025, 9, 1));
        mesh.WriteLandingFile(name, content);

        var status = await mesh.IngestAsync(name);

        Assert.Equal("failed", status["state"]!.GetValue<string>());
        Assert.Contains(error, status["error"]!.GetValue<string>());
        Assert.Equal(0, status["rows_read"]!.GetValue<long>());
        Assert.Equal(before, await SalesChecksum.StoredAsync(mesh.OltpConnectionString, date: new DateOnly(2025, 9, 1)));
        Assert.Equal(50, before.Count);
    }

    [Fact]
    public async Task A_header_only_file_completes_with_zero_rows()
    {
        mesh.WriteLandingFile("header-only.csv", Csv.Header);
        var status = await mesh.IngestAsync("header-only.csv");
        Assert.Equal("completed", status["state"]!.GetValue<string>());
        Assert.Equal(0, status["rows_read"]!.GetValue<long>());
    }
}
