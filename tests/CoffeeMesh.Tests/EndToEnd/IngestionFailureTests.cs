using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CoffeeMesh.Tests.Infrastructure;
using Npgsql;

namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>
/// An ingestion always ends: a batch a stage gives up on (into its dead-letter queue) fails the
/// ingestion, naming the stage, the batch and the reason; after a fix, a replay sends the message
/// back and the ingestion completes with every row once.
/// </summary>
public sealed class IngestionFailureTests(MeshFixture mesh) : MeshTests(mesh)
{
    [Fact]
    public async Task A_batch_a_stage_gives_up_on_fails_its_ingestion_by_name_and_a_replay_after_the_fix_completes_it()
    {
        // The star schema refuses this file's facts for a reason no retry mends (a guard someone put on the table).
        await PostgresAsync(
            """
            CREATE OR REPLACE FUNCTION refuse_test_facts() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'fact % refused by a guard on fact_sales', NEW.transaction_id; END $$;
            CREATE TRIGGER refuse_test_facts BEFORE INSERT ON fact_sales FOR EACH ROW
            WHEN (NEW.transaction_id LIKE '7654%\_20260601') EXECUTE FUNCTION refuse_test_facts();
            """);
        try
        {
            var file = mesh.WriteLandingFile("refused-by-the-star-schema.csv",
                Csv.Header + string.Concat(Enumerable.Range(7654_000, 30).Select(i => Csv.Row(i, "2026/06/01"))));
            var id = await mesh.RequestAsync(file);

            var failed = await mesh.WaitAsync(id);

            Assert.Equal("failed", failed["state"]!.GetValue<string>());
            var error = failed["error"]!.GetValue<string>();
            Assert.Contains("olap-sync gave up on batch 0", error);
            Assert.Contains("refused by a guard on fact_sales", error);
            Assert.Contains($"replay --ingestion {id}", error);
            var failure = Assert.Single(failed["failures"]!.AsArray())!;
            Assert.Equal(("olap-sync", 0), (failure["stage"]!.GetValue<string>(), failure["batch"]!.GetValue<int>()));
            // MySQL has the rows; the dead-letter queue has the batch.
            Assert.Equal(1, failed["batches_stored"]!.GetValue<int>());
            Assert.Equal(30, await mesh.CountAsync("SELECT COUNT(*) FROM sales WHERE transaction_id LIKE '7654%\\_20260601'"));
            var errors = (await mesh.Ingest.GetFromJsonAsync<JsonObject>($"/errors?ingestion={id}"))!;
            Assert.Contains(errors["dead_letter_queues"]!.AsArray(), q => q!["stage"]!.GetValue<string>() == "olap-sync" && q["messages"]!.GetValue<long>() >= 1);
            Assert.Contains(errors["failures"]!.AsArray(), f => f!["ingestion_id"]!.GetValue<Guid>() == id);

            // The fix, then the replay.
            await PostgresAsync("DROP TRIGGER refuse_test_facts ON fact_sales");
            var replay = await mesh.Ingest.PostAsync($"/errors/replay?ingestion={id}", null);
            replay.EnsureSuccessStatusCode();
            Assert.Equal(1, (await replay.Content.ReadFromJsonAsync<JsonObject>())!["replayed"]!.GetValue<int>());

            var completed = await mesh.WaitAsync(id);
            await mesh.AssertEveryRowOnceAsync(completed, file, 30);
            Assert.Empty(completed["failures"]!.AsArray());
        }
        finally
        {
            await PostgresAsync("DROP TRIGGER IF EXISTS refuse_test_facts ON fact_sales");
        }
    }

    [Fact]
    public async Task A_fact_the_star_schema_refuses_is_set_aside_with_its_message_and_the_rest_of_its_batch_is_synced()
    {
        // A value the star schema takes as out of range for this one sale (SQLSTATE 22003), whatever MySQL thought of it.
        await PostgresAsync(
            """
            CREATE OR REPLACE FUNCTION refuse_one_fact() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN RAISE EXCEPTION 'total % is out of range here', NEW.total_amount USING ERRCODE = '22003'; END $$;
            CREATE TRIGGER refuse_one_fact BEFORE INSERT ON fact_sales FOR EACH ROW
            WHEN (NEW.transaction_id = '7655017_20260602') EXECUTE FUNCTION refuse_one_fact();
            """);
        try
        {
            var file = mesh.WriteLandingFile("one-fact-refused.csv",
                Csv.Header + string.Concat(Enumerable.Range(7655_000, 30).Select(i => Csv.Row(i, "2026/06/02"))));

            var status = await mesh.IngestAsync(file);

            Assert.Equal("completed", status["state"]!.GetValue<string>());
            Assert.Equal(30, status["stored_oltp"]!.GetValue<long>());
            Assert.Equal(29, status["synced_olap"]!.GetValue<long>());
            Assert.Equal(1, status["rejected_olap"]!.GetValue<long>());
            Assert.Contains("is out of range here (22003)", Assert.Single(status["rejected_olap_reasons"]!.AsObject()).Key);
            Assert.Equal(0, await mesh.OlapCountAsync("SELECT COUNT(*) FROM fact_sales WHERE transaction_id = '7655017_20260602'"));
            Assert.Equal(1, await mesh.OlapCountAsync("SELECT COUNT(*) FROM sync_rejected WHERE transaction_id = '7655017_20260602' AND reason = 'store_rejected'"));
        }
        finally
        {
            await PostgresAsync("DROP TRIGGER IF EXISTS refuse_one_fact ON fact_sales");
        }
    }

    private async Task PostgresAsync(string sql)
    {
        await using var c = new NpgsqlConnection(mesh.OlapConnectionString);
        await c.OpenAsync();
        await new NpgsqlCommand(sql, c).ExecuteNonQueryAsync();
    }
}
