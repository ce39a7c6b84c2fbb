using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>
/// Faults on the real servers, on the shared mesh, one at a time: each server restarted in the
/// middle of a backfill and while idle; each service's own process killed (SIGKILL) in the middle of
/// a backfill, then started again by the AppHost by itself; every message of an ingestion delivered
/// twice. After each: every row once in both stores (counts and checksums), no new message in any
/// dead-letter queue, the ingestions completed.
/// </summary>
[Collection(nameof(Disruptive))]
public sealed class FaultSuiteTests(MeshFixture mesh) : MeshTests(mesh)
{
    private const int Rows = 100_000;

    [Theory]
    [InlineData("rabbitmq", 1)]
    [InlineData("mariadb", 2)]
    [InlineData("postgresql", 3)]
    public async Task A_server_restarted_in_the_middle_of_a_backfill_loses_and_doubles_nothing(string server, int month)
    {
        await BackfillThroughAsync($"restart-{server}", new DateOnly(2024, month, 1), async () => await Servers.RestartAsync(server));
    }

    [Theory]
    [InlineData("rabbitmq", 4)]
    [InlineData("mariadb", 5)]
    [InlineData("postgresql", 6)]
    public async Task After_a_server_restarted_while_the_mesh_was_idle_a_new_ingestion_completes(string server, int month)
    {
        var before = await DeadLettersAsync();
        await Servers.RestartAsync(server);

        var source = mesh.WriteGeneratedFile($"idle-{server}.csv", 5_000, new DateOnly(2024, month, 1), seed: 40 + month);
        var status = await mesh.WaitAsync(await RequestAfterOutageAsync(source), TimeSpan.FromMinutes(3));

        await mesh.AssertEveryRowOnceAsync(status, source, 5_000);
        Assert.Equal(before, await DeadLettersAsync());
    }

    [Theory]
    [InlineData("ingest", 7)]
    [InlineData("transform", 8)]
    [InlineData("oltp-writer", 9)]
    [InlineData("olap-sync", 10)]
    public async Task A_service_killed_in_the_middle_of_a_backfill_comes_back_by_itself_and_nothing_is_lost_or_doubled(string service, int month)
    {
        var killed = 0;
        await BackfillThroughAsync($"kill-{service}", new DateOnly(2024, month, 1), async () =>
        {
            killed = ServiceProcesses.KillOne(service, mesh.Prefix);
            // The AppHost starts it again (RestartOnExit): wait until a new process of it runs.
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!ServiceProcesses.Of(service, mesh.Prefix).Any(p => p != killed) || ServiceProcesses.Of(service, mesh.Prefix).Contains(killed))
            {
                Assert.True(DateTime.UtcNow < deadline, $"{service} did not come back within 2 minutes");
                await Task.Delay(250);
            }
        });
        Assert.NotEqual(0, killed);
    }

    [Fact]
    public async Task Every_message_of_an_ingestion_delivered_twice_stores_every_row_once()
    {
        await using var duplicator = await Duplicator.StartAsync(mesh.Prefix);
        await BackfillThroughAsync("duplicated", new DateOnly(2024, 11, 1), () => Task.CompletedTask);
        Assert.True(duplicator.Copies > Rows / MeshFixture.BatchSize * 3, $"only {duplicator.Copies} messages were delivered twice");
    }

    /// <summary>A 100,000-row backfill with the fault in the middle of it (after a few batches are in both stores); then the promise, checked.</summary>
    private async Task BackfillThroughAsync(string name, DateOnly start, Func<Task> fault)
    {
        var before = await DeadLettersAsync();
        var source = mesh.WriteGeneratedFile($"{name}.csv", Rows, start, seed: start.Month + 100);
        var id = await mesh.RequestAsync(source);
        while (await mesh.OlapCountAsync("SELECT COUNT(*) FROM sync_batch WHERE ingestion_id = @id", ("id", id)) < 3)
            await Task.Delay(50);
        Assert.True(await mesh.CountAsync("SELECT COUNT(*) FROM ingestion_batch WHERE ingestion_id = @id", ("@id", id)) < Rows / MeshFixture.BatchSize,
            "the backfill finished before the fault");

        await fault();

        var status = await mesh.WaitAsync(id, TimeSpan.FromMinutes(5));
        await mesh.AssertEveryRowOnceAsync(status, source, Rows);
        Assert.Equal(before, await DeadLettersAsync());
    }

    /// <summary>Right after an outage the API itself may still be reconnecting: the request is retried for a while.</summary>
    private async Task<Guid> RequestAfterOutageAsync(string source)
    {
        for (var attempt = 0; ; attempt++)
        {
            try { return await mesh.RequestAsync(source); }
            catch (Exception) when (attempt < 30) { await Task.Delay(1000); }
        }
    }

    /// <summary>How many messages wait in each dead-letter queue of the mesh.</summary>
    private async Task<string> DeadLettersAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var errors = (await mesh.Ingest.GetFromJsonAsync<JsonObject>("/errors"))!;
                return string.Join(", ", errors["dead_letter_queues"]!.AsArray().Select(q => $"{q!["queue"]}={q["messages"]}"));
            }
            catch (Exception) when (attempt < 30) { await Task.Delay(1000); }
        }
    }
}
