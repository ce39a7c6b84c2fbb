using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>A message that can never be processed goes to the _error queue with its reason, and changes nothing.</summary>
public sealed class PoisonMessageTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Theory]
    [InlineData("2025-01-01", 20, "MySqlConnector.MySqlException")] // a store name longer than its column
    public async Task A_batch_the_writer_can_never_store_goes_to_the_error_queue_with_its_reason(string date, int storeNameLength, string exception)
    {
        using var host = await mesh.StartBusClientAsync();
        var ingestion = Guid.NewGuid();
        var poison = new CleanSalesBatch
        {
            IngestionId = ingestion, IngestionNumber = 3_000_001, Sequence = 0, FirstLine = 2, LastLine = 2, RowsRead = 1,
            Sales = $"1_20250101\t{date}\t08:00:00\t1\t3\t22\t30.00\t30.00\t{SalesTsv.RowVersion(3_000_001, 2)}\t0\t0\n", SalesCount = 1,
            // Neither is transient: no retry can help.
            Stores = [new Store(3, new string('x', storeNameLength * 15)) { FirstSoldAt = new DateTime(2025, 1, 1, 8, 0, 0), FirstRowVersion = SalesTsv.RowVersion(3_000_001, 2) }],
            Products = [new Product(22, "Coffee", "Drip coffee", "Poison blend", 30.00m) { FirstSoldAt = new DateTime(2025, 1, 1, 8, 0, 0), FirstRowVersion = SalesTsv.RowVersion(3_000_001, 2) }],
            Quarantined = [],
        };

        await host.Services.GetRequiredService<IBus>().Publish(poison, ctx => ctx.MessageId = MessageIds.For("clean", ingestion, 0));

        var fault = await WaitForErrorAsync($"{mesh.Prefix}-clean-sales-batch_error", ingestion);
        Assert.Contains(exception, fault);
        Assert.Equal(0, await mesh.CountAsync("SELECT COUNT(*) FROM ingestion_batch WHERE ingestion_id = @id", ("@id", ingestion)));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_row_MySQL_refuses_is_quarantined_as_store_rejected_and_the_rest_of_its_batch_is_stored()
    {
        using var host = await mesh.StartBusClientAsync();
        var ingestion = Guid.NewGuid();
        var at = new DateTime(2025, 1, 1, 8, 0, 0);
        // An ingestion number no real ingestion of the shared mesh has, so its row_versions are its own.
        const long number = 3_000_000;
        string Line(int id, string date, int line) => $"{id}_20250101\t{date}\t08:00:00\t1\t3\t22\t30.00\t30.00\t{SalesTsv.RowVersion(number, line)}\t0\t0\n";
        // Transform never sends the middle row (an impossible date), which LOAD DATA would store as 0000-00-00 with a warning.
        var batch = new CleanSalesBatch
        {
            IngestionId = ingestion, IngestionNumber = number, Sequence = 0, FirstLine = 2, LastLine = 4, RowsRead = 3,
            Sales = Line(880001, "2025-01-01", 2) + Line(880002, "not-a-date", 3) + Line(880003, "2025-01-01", 4),
            SalesCount = 3,
            Stores = [new Store(3, "West Campus") { FirstSoldAt = at, FirstRowVersion = SalesTsv.RowVersion(number, 2) }],
            Products = [new Product(22, "Coffee", "Drip coffee", "Our Old Time Diner Blend Sm", 30.00m) { FirstSoldAt = at, FirstRowVersion = SalesTsv.RowVersion(number, 2) }],
            Quarantined = [],
        };

        await host.Services.GetRequiredService<IBus>().Publish(batch, ctx => ctx.MessageId = MessageIds.For("clean", ingestion, 0));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await mesh.CountAsync("SELECT COUNT(*) FROM ingestion_batch WHERE ingestion_id = @id", ("@id", ingestion)) == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Equal(2, await mesh.CountAsync("SELECT accepted FROM ingestion_batch WHERE ingestion_id = @id", ("@id", ingestion)));
        Assert.Equal(1, await mesh.CountAsync("SELECT quarantined FROM ingestion_batch WHERE ingestion_id = @id", ("@id", ingestion)));
        Assert.Equal(2, await mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_id IN ('880001_20250101', '880003_20250101')"));
        Assert.Contains("MySQL: ", await mesh.OltpScalarAsync<string>(
            "SELECT detail FROM quarantine_reason WHERE ingestion_id = @id AND source_line = 3 AND reason = 'store_rejected'", ("@id", ingestion)));
        await host.StopAsync();
    }

    /// <summary>Reads (and requeues) the error queue through the management API until our message is there.</summary>
    private static async Task<string> WaitForErrorAsync(string queue, Guid ingestion)
    {
        using var http = RabbitCleanup.Management();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var response = await http.PostAsJsonAsync($"/api/queues/%2F/{queue}/get",
                new { count = 50, ackmode = "ack_requeue_true", encoding = "auto" });
            if (response.IsSuccessStatusCode)
                foreach (var m in (await response.Content.ReadFromJsonAsync<JsonArray>())!)
                    if (m!["payload"]!.GetValue<string>().Contains(ingestion.ToString()))
                    {
                        var headers = m["properties"]!["headers"]!.AsObject();
                        return $"{headers["MT-Fault-ExceptionType"]}: {headers["MT-Fault-Message"]}";
                    }
            await Task.Delay(250);
        }
        throw new TimeoutException($"no message of {ingestion} in {queue}");
    }
}
