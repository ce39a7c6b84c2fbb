using MySqlConnector;
using Npgsql;

namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>Per-test-run databases on the shared local servers: isolation by name, not by mocks.</summary>
public static class TestDatabases
{
    public static string MySql(string baseKey, string database)
    {
        var csb = new MySqlConnectionStringBuilder(TestEnvironment.Get(baseKey)) { Database = database };
        return csb.ConnectionString;
    }

    /// <summary>An OLTP-user database (the user may create coffee_shop_sales*).</summary>
    public static string OltpDatabase(string name) => MySql("ConnectionStrings__oltp", $"coffee_shop_sales_{TestEnvironment.RunId}_{name}");

    public static string IngestDatabase(string name) => MySql("ConnectionStrings__ingestdb", $"coffeemesh_ingest_{TestEnvironment.RunId}_{name}");

    /// <summary>A PostgreSQL database owned by the OLAP user (it has CREATEDB).</summary>
    public static string PostgresDatabase(string name)
    {
        var csb = new NpgsqlConnectionStringBuilder(TestEnvironment.Get("ConnectionStrings__olap")) { Database = $"coffee_sales_data_{TestEnvironment.RunId}_{name}" };
        return csb.ConnectionString;
    }

    public static async Task DropMySqlAsync(string connectionString)
    {
        var csb = new MySqlConnectionStringBuilder(connectionString);
        var database = csb.Database;
        csb.Database = "";
        await using var c = new MySqlConnection(csb.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new MySqlCommand($"DROP DATABASE IF EXISTS `{database}`", c);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task DropPostgresAsync(string connectionString)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        var database = csb.Database;
        csb.Database = "postgres";
        await using var c = new NpgsqlConnection(csb.ConnectionString);
        await c.OpenAsync();
        // Our own sessions on it (pooled connections of the tests and the services) are ended by
        // hand; DROP then cancels an autovacuum worker itself. WITH (FORCE) would refuse to run
        // while such a worker (a superuser session) is there.
        await using (var end = new NpgsqlCommand(
                         "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @d AND usename = current_user AND pid <> pg_backend_pid()", c))
        {
            end.Parameters.AddWithValue("d", database!);
            await end.ExecuteNonQueryAsync();
        }
        for (var attempt = 0; ; attempt++)
        {
            try { await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\"", c).ExecuteNonQueryAsync(); return; }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 20) { await Task.Delay(250); }
        }
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var c = new MySqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new MySqlCommand(sql, c);
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        var result = await cmd.ExecuteScalarAsync();
        return (T)Convert.ChangeType(result!, typeof(T));
    }

    public static async Task<T> PostgresScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        var result = await cmd.ExecuteScalarAsync();
        return (T)Convert.ChangeType(result!, typeof(T));
    }
}
