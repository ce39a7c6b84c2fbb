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
    [InlineData("not-a-date", 5, "System.IO.InvalidDataException")]   // a value LOAD DATA would coerce with a warning
    public async Task A_batch_the_writer_can_never_store_goes_to_the_error_queue_with_its_reason(string date, int storeNameLength, string exception)
    {
        using var host = await mesh.StartBusClientAsync();
        var ingestion = Guid.NewGuid();
        var poison = new CleanSalesBatch
        {
            IngestionId = ingestion, IngestionNumber = 1, Sequence = 0, FirstLine = 2, LastLine = 2, RowsRead = 1,
            Sales = $"1_20250101\t{date}\t08:00:00\t1\t3\t22\t30.00\t30.00\t4294967298\t0\t0\n", SalesCount = 1,
            // Neither is transient: no retry can help.
            Stores = [new Store(3, new string('x', storeNameLength * 15)) { FirstSoldAt = new DateTime(2025, 1, 1, 8, 0, 0), FirstRowVersion = 4294967298 }],
            Products = [new Product(22, "Coffee", "Drip coffee", "Poison blend", 30.00m) { FirstSoldAt = new DateTime(2025, 1, 1, 8, 0, 0), FirstRowVersion = 4294967298 }],
            Quarantined = [],
        };

        await host.Services.GetRequiredService<IBus>().Publish(poison, ctx => ctx.MessageId = MessageIds.For("clean", ingestion, 0));

        var fault = await WaitForErrorAsync($"{mesh.Prefix}-clean-sales-batch_error", ingestion);
        Assert.Contains(exception, fault);
        Assert.Equal(0, await mesh.CountAsync("SELECT COUNT(*) FROM ingestion_batch WHERE ingestion_id = @id", ("@id", ingestion)));
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
