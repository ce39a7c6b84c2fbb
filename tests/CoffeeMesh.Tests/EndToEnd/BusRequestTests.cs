using CoffeeMesh.Contracts;
using CoffeeMesh.Messaging;
using CoffeeMesh.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>The third way in: an IngestionRequested published straight onto the bus.</summary>
public sealed class BusRequestTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task An_ingestion_published_on_the_bus_is_read_and_stored()
    {
        mesh.WriteLandingFile("from-bus.csv", Csv.Header + string.Concat(Enumerable.Range(1, 40).Select(i => Csv.Row(70000 + i, "2025/10/01"))));
        using var host = await mesh.StartBusClientAsync();
        var id = Guid.NewGuid();

        await host.Services.GetRequiredService<IBus>().Publish(new IngestionRequested { IngestionId = id, Source = "from-bus.csv" });
        var status = await mesh.WaitAsync(await WhenKnownAsync(id));

        Assert.Equal("completed", status["state"]!.GetValue<string>());
        Assert.Equal(40, status["stored_oltp"]!.GetValue<long>());
        await host.StopAsync();
    }

    private async Task<Guid> WhenKnownAsync(Guid id)
    {
        for (var i = 0; i < 100; i++)
        {
            if ((await mesh.Ingest.GetAsync($"/ingestions/{id}")).IsSuccessStatusCode) return id;
            await Task.Delay(100);
        }
        throw new TimeoutException($"ingest never recorded {id}");
    }
}
