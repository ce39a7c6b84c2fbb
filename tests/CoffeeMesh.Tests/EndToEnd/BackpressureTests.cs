using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CoffeeMesh.Tests.Infrastructure;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>A big backfill does not pile up in the broker: reading keeps pace with what the writer stores.</summary>
public sealed class BackpressureTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task Ingest_reads_at_most_MaxBatchesAhead_batches_ahead_of_what_MySQL_holds()
    {
        const int rows = 120_000; // 120 batches; unpaced, reading runs dozens of batches ahead of two writers
        var source = mesh.WriteGeneratedFile("backpressure.csv", rows, new DateOnly(2024, 6, 1), seed: 21);
        var id = await mesh.RequestAsync(source);

        // Ingest reads its own watermark before it asks the writer, so "batches" can only be
        // overstated against "batches_stored", never understated: the bound holds for every poll.
        long mostAhead = 0;
        var polls = 0;
        JsonObject status;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        do
        {
            status = (await mesh.Ingest.GetFromJsonAsync<JsonObject>($"/ingestions/{id}"))!;
            mostAhead = Math.Max(mostAhead, status["batches"]!.GetValue<long>() - status["batches_stored"]!.GetValue<long>());
            polls++;
            Assert.True(DateTime.UtcNow < deadline, status.ToJsonString());
            await Task.Delay(20);
        } while (status["state"]!.GetValue<string>() is not ("completed" or "failed"));

        Assert.InRange(mostAhead, 1, MeshFixture.MaxBatchesAhead);
        Assert.True(polls > 20, $"only {polls} polls: the bound was hardly observed");
        await mesh.AssertEveryRowOnceAsync(status, source, rows);
    }
}

/// <summary>With every writer hung, reading stops at the window instead of filling the broker, and finishes once they carry on.</summary>
[Collection(nameof(Disruptive))]
public sealed class HungWriterTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task Reading_pauses_while_the_writers_hang_and_the_backfill_completes_once_they_carry_on()
    {
        const int rows = 30_000; // 30 batches
        var source = mesh.WriteGeneratedFile("hung-writers.csv", rows, new DateOnly(2024, 7, 1), seed: 22);
        var writers = WriterProcesses();
        Assert.True(writers.Count == MeshFixture.WriterReplicas, $"writer processes: {string.Join(", ", writers.Select(Describe))}");
        // SIGSTOP: the writers neither store nor answer HTTP (ingest's requests time out), as a
        // process stuck on a dead disk or a lock would.
        foreach (var pid in writers) Signal("STOP", pid);
        Guid id;
        try
        {
            id = await mesh.RequestAsync(source);
            await Task.Delay(TimeSpan.FromSeconds(5)); // reading all 30 batches takes well under a second

            var (state, published) = await WatermarkAsync(id);
            Assert.Equal("reading", state);
            Assert.Equal(MeshFixture.MaxBatchesAhead, published);
        }
        finally
        {
            foreach (var pid in writers) Signal("CONT", pid);
        }

        var status = await mesh.WaitAsync(id, TimeSpan.FromMinutes(3));

        await mesh.AssertEveryRowOnceAsync(status, source, rows);
    }

    /// <summary>This run's oltp-writer processes: their command line names the service, their environment this run's queue prefix.</summary>
    private List<int> WriterProcesses()
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                // The service itself, not a `dotnet run` that started it.
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (!cmdline.Contains("/bin/") || !cmdline.Contains("CoffeeMesh.OltpWriter") || cmdline.Contains("dotnet run")) continue;
                if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains($"Messaging__QueuePrefix={mesh.Prefix}")) pids.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // gone meanwhile
        }
        return pids;
    }

    private static string Describe(int pid)
    {
        try { return $"{pid}: {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}"; }
        catch (IOException) { return $"{pid}: gone"; }
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = System.Diagnostics.Process.Start("kill", $"-{signal} {pid}")!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private async Task<(string State, long NextSequence)> WatermarkAsync(Guid id) =>
        (await TestDatabases.ScalarAsync<string>(mesh.IngestConnectionString, "SELECT state FROM ingestion WHERE ingestion_id = @id", ("@id", id.ToString())),
         await TestDatabases.ScalarAsync<long>(mesh.IngestConnectionString, "SELECT next_sequence FROM ingestion WHERE ingestion_id = @id", ("@id", id.ToString())));
}
