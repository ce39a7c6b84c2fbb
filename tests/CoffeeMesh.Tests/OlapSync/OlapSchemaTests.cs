using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.OlapSync;
using CoffeeMesh.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoffeeMesh.Tests.OlapSync;

/// <summary>
/// olap-sync's star schema on a real PostgreSQL: a fresh database is built from the baseline
/// (today's tables written out), an existing one by the migrations it lacks, and both end the same.
/// </summary>
public sealed class OlapSchemaTests
{
    /// <summary>Every migration, without the baseline: how a database that predates it was built.</summary>
    private static List<Migration> History => OlapSchema.Migrations.Select(m => m with { Baseline = null }).ToList();

    private static int Latest => OlapSchema.Migrations.Max(m => m.Version);

    [Fact]
    public async Task A_database_built_from_the_baseline_has_the_tables_columns_keys_and_views_of_one_built_by_every_migration()
    {
        var fromBaseline = TestDatabases.PostgresDatabase("schema_baseline");
        var fromHistory = TestDatabases.PostgresDatabase("schema_history");
        try
        {
            await Migrations.ApplyAsync(ServiceStore.PostgreSql(fromBaseline), OlapSchema.Migrations, NullLogger.Instance, default);
            await Migrations.ApplyAsync(ServiceStore.PostgreSql(fromHistory), History, NullLogger.Instance, default);

            Assert.Equal(Latest, await TestDatabases.PostgresScalarAsync<long>(fromBaseline, "SELECT COUNT(*) FROM schema_version WHERE name LIKE '%(baseline)'"));
            Assert.Equal(string.Join("\n", await SchemaSnapshot.PostgresAsync(fromHistory)), string.Join("\n", await SchemaSnapshot.PostgresAsync(fromBaseline)));
            // dim_time is data the schema carries: every second of the day.
            Assert.Equal(86_400, await TestDatabases.PostgresScalarAsync<long>(fromBaseline, "SELECT COUNT(*) FROM dim_time"));
        }
        finally
        {
            await TestDatabases.DropPostgresAsync(fromBaseline);
            await TestDatabases.DropPostgresAsync(fromHistory);
        }
    }

    [Fact]
    public async Task A_database_built_from_the_baseline_takes_a_later_migration_on_top()
    {
        var cs = TestDatabases.PostgresDatabase("schema_later");
        try
        {
            var later = new Migration(Latest + 1, "a later step", ["CREATE TABLE IF NOT EXISTS later_step (id INT NOT NULL PRIMARY KEY)"]);
            await Migrations.ApplyAsync(ServiceStore.PostgreSql(cs), [.. OlapSchema.Migrations, later], NullLogger.Instance, default);

            Assert.Equal(Latest + 1, await TestDatabases.PostgresScalarAsync<long>(cs, "SELECT COUNT(*) FROM schema_version WHERE version < 10000"));
            Assert.Equal("a later step", await TestDatabases.PostgresScalarAsync<string>(cs, "SELECT name FROM schema_version WHERE version = @v", ("@v", Latest + 1)));
            Assert.Equal(1, await TestDatabases.PostgresScalarAsync<long>(cs,
                "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = 'later_step'"));
        }
        finally
        {
            await TestDatabases.DropPostgresAsync(cs);
        }
    }

    [Fact]
    public async Task A_database_with_migrations_recorded_applies_the_ones_it_lacks_and_never_the_baseline()
    {
        var cs = TestDatabases.PostgresDatabase("schema_upgrade");
        try
        {
            var store = ServiceStore.PostgreSql(cs);
            await Migrations.ApplyAsync(store, OlapSchema.Migrations.Where(m => m.Version < 5).ToList(), NullLogger.Instance, default);
            await Migrations.ApplyAsync(store, OlapSchema.Migrations, NullLogger.Instance, default);

            Assert.Equal(Latest, await TestDatabases.PostgresScalarAsync<long>(cs, "SELECT COUNT(*) FROM schema_version WHERE version < 10000"));
            Assert.Equal(0, await TestDatabases.PostgresScalarAsync<long>(cs, "SELECT COUNT(*) FROM schema_version WHERE name LIKE '%(baseline)'"));
        }
        finally
        {
            await TestDatabases.DropPostgresAsync(cs);
        }
    }
}
