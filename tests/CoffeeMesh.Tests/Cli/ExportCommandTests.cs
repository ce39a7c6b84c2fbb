using System.Net;
using CoffeeMesh.Cli.Commands;
using CoffeeMesh.Tests.Infrastructure;
using Google;
using Google.Cloud.Storage.V1;

namespace CoffeeMesh.Tests.Cli;

/// <summary>
/// export --from --to --out against the test mesh's MySQL: the old CSV-to-CSV step (processed
/// columns, sorted by date and time, one current row per transaction, a rerun replacing the range),
/// and the file it writes loads back through ingest unchanged.
/// </summary>
public sealed class ExportCommandTests(MeshFixture mesh) : MeshTests(mesh)
{
    private static readonly DateOnly[] March = [new(2022, 3, 1), new(2022, 3, 2), new(2022, 3, 3)];

    [Fact]
    public async Task Export_writes_the_range_sorted_with_each_transactions_last_version_and_ingest_loads_it_back_with_equal_sums()
    {
        Environment.SetEnvironmentVariable(ExportCommand.ConnectionVariable, mesh.OltpConnectionString);
        // 1,500 sales on 1-3 March in reverse time order, and one on each day around the range.
        var rows = Enumerable.Range(0, 1500).Reverse()
            .Select(i => Csv.Row(87_000_000 + i, $"2022/03/0{1 + i / 500}", time: $"{7 + i % 500 / 60:00}:{i % 60:00}:00", qty: (1 + i % 3) + ".0"))
            .Prepend(Csv.Row(87_001_500, "2022/02/28")).Append(Csv.Row(87_001_501, "2022/03/04"));
        await IngestedAsync("export/source.csv", Csv.Header + string.Concat(rows));
        // A later ingestion replaces one transaction: the export has its last version, once.
        await IngestedAsync("export/correction.csv", Csv.Header + Csv.Row(87_000_005, "2022/03/01", time: "07:05:00", qty: "7.0"));
        var output = Path.Combine(mesh.Landing, "export", "march.csv");
        await File.WriteAllTextAsync(output, "what an earlier export left\n");

        var run = await CliRunner.RunAsync("export", "--from", "2022-03-01", "--to", "2022-03-03", "--out", output);

        Assert.True(run.Exit == 0, run.ToString());
        Assert.Contains("exported 1500 rows of 2022-03-01 to 2022-03-03", run.Out);
        var bytes = await File.ReadAllBytesAsync(output);
        var file = ProcessedFile.Parse(bytes);
        file.AssertShape();
        Assert.Equal(1500, file.Rows.Count);
        Assert.Equal(1500, file.Rows.Select(r => r.Id).Distinct().Count());
        Assert.Equal(7, file.Rows.Single(r => r.Id == "87000005_20220301").Quantity);
        foreach (var day in March)
            Assert.Equal(await SalesChecksum.StoredAsync(mesh.OltpConnectionString, date: day), SalesChecksum.Of(file.Rows.Where(r => r.Date == day).Select(r => r.Line)));
        Assert.Equal(await SumAsync("transaction_qty"), file.Quantity);
        Assert.Equal(await SumAsync("total_amount"), file.Amount);

        // A rerun rewrites the file with the same range: nothing appended.
        Assert.Equal(0, (await CliRunner.RunAsync("export", "--from", "2022-03-01", "--to", "2022-03-03", "--out", output)).Exit);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(output));

        // Back through ingest: read as a processed file, every row accepted, MySQL unchanged but for the rows' versions.
        var status = await mesh.IngestAsync("export/march.csv");
        Assert.Equal("completed", status["state"]!.GetValue<string>());
        Assert.Equal("processed", status["format"]!["shape"]!.GetValue<string>());
        Assert.Equal(1500, status["rows_read"]!.GetValue<long>());
        Assert.Equal(1500, status["accepted"]!.GetValue<long>());
        Assert.Equal(0, status["quarantined"]!.GetValue<long>());
        Assert.Equal(1500, status["stored_oltp"]!.GetValue<long>());
        foreach (var day in March)
            Assert.Equal(await SalesChecksum.StoredAsync(mesh.OltpConnectionString, date: day), SalesChecksum.Of(file.Rows.Where(r => r.Date == day).Select(r => r.Line)));
        Assert.Equal(await SumAsync("transaction_qty"), file.Quantity);
        Assert.Equal(await SumAsync("total_amount"), file.Amount);
    }

    [Fact]
    public async Task Export_to_gs_overwrites_the_object_on_a_rerun()
    {
        Environment.SetEnvironmentVariable(ExportCommand.ConnectionVariable, mesh.OltpConnectionString);
        var day = new DateOnly(2022, 3, 10);
        await IngestedAsync("export/tenth.csv", Csv.Header + string.Concat(Enumerable.Range(0, 200).Select(i => Csv.Row(87_100_000 + i, "2022/03/10"))));
        using var gcs = new StorageClientBuilder { BaseUri = mesh.GcsUrl, UnauthenticatedAccess = true }.Build();
        try { await gcs.CreateBucketAsync("test-project", "coffee-sales-data"); }
        catch (GoogleApiException e) when (e.HttpStatusCode == HttpStatusCode.Conflict) { }
        var name = $"exports/{TestEnvironment.RunId}/march-10.csv";
        string[] Export() => ["export", "--from", "2022-03-10", "--to", "2022-03-10", "--out", $"gs://coffee-sales-data/{name}", "--gcs-url", mesh.GcsUrl];

        var first = await CliRunner.RunAsync(Export());
        Assert.True(first.Exit == 0, first.ToString());
        var before = await gcs.GetObjectAsync("coffee-sales-data", name);
        await IngestedAsync("export/tenth-correction.csv", Csv.Header + Csv.Row(87_100_000, "2022/03/10", qty: "5.0"));
        var second = await CliRunner.RunAsync(Export());

        Assert.True(second.Exit == 0, second.ToString());
        var after = await gcs.GetObjectAsync("coffee-sales-data", name);
        Assert.NotEqual(before.Generation, after.Generation);
        using var content = new MemoryStream();
        await gcs.DownloadObjectAsync(after, content);
        var file = ProcessedFile.Parse(content.ToArray());
        file.AssertShape();
        Assert.Equal(200, file.Rows.Count);
        Assert.Equal(5, file.Rows.Single(r => r.Id == "87100000_20220310").Quantity);
        Assert.Equal(await SalesChecksum.StoredAsync(mesh.OltpConnectionString, date: day), file.Checksum);
    }

    private async Task IngestedAsync(string relative, string content)
    {
        var status = await mesh.IngestAsync(mesh.WriteLandingFile(relative, content));
        Assert.True(status["state"]!.GetValue<string>() == "completed", status.ToJsonString());
    }

    private Task<decimal> SumAsync(string column) =>
        mesh.OltpScalarAsync<decimal>($"SELECT SUM({column}) FROM sales WHERE transaction_date BETWEEN '2022-03-01' AND '2022-03-03'");
}
