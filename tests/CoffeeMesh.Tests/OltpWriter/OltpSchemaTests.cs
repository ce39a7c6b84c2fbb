using CoffeeMesh.Messaging.Storage;
using CoffeeMesh.OltpWriter;
using CoffeeMesh.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoffeeMesh.Tests.OltpWriter;

/// <summary>
/// oltp-writer's MySQL schema on a real MariaDB: a fresh database is built from the baseline
/// (today's tables written out), an existing one by the migrations it lacks, and both end the same.
/// </summary>
public sealed class OltpSchemaTests
{
    /// <summary>Every migration, without the baseline: how a database that predates it was built.</summary>
    private static List<Migration> History => OltpSchema.Migrations.Select(m => m with { Baseline = null }).ToList();

    private static int Latest => OltpSchema.Migrations.Max(m => m.Version);

    [Fact]
    public async Task A_database_built_from_the_baseline_has_the_tables_columns_keys_and_views_of_one_built_by_every_migration()
    {
        var fromBaseline = TestDatabases.OltpDatabase("schema_baseline");
        var fromHistory = TestDatabases.OltpDatabase("schema_history");
        try
        {
            await Migrations.ApplyAsync(ServiceStore.MySql(fromBaseline), OltpSchema.Migrations, NullLogger.Instance, default);
            await Migrations.ApplyAsync(ServiceStore.MySql(fromHistory), History, NullLogger.Instance, default);

            Assert.Equal(Latest, await TestDatabases.ScalarAsync<long>(fromBaseline, "SELECT COUNT(*) FROM schema_version WHERE name LIKE '%(baseline)'"));
            Assert.Equal(string.Join("\n", await SchemaSnapshot.MySqlAsync(fromHistory)), string.Join("\n", await SchemaSnapshot.MySqlAsync(fromBaseline)));
        }
        finally
        {
            await TestDatabases.DropMySqlAsync(fromBaseline);
            await TestDatabases.DropMySqlAsync(fromHistory);
        }
    }

    [Fact]
    public async Task A_database_built_from_the_baseline_takes_a_later_migration_on_top()
    {
        var cs = TestDatabases.OltpDatabase("schema_later");
        try
        {
            var later = new Migration(Latest + 1, "a later step", ["CREATE TABLE IF NOT EXISTS later_step (id INT NOT NULL PRIMARY KEY)"]);
            await Migrations.ApplyAsync(ServiceStore.MySql(cs), [.. OltpSchema.Migrations, later], NullLogger.Instance, default);

            Assert.Equal(Latest + 1, await TestDatabases.ScalarAsync<long>(cs, "SELECT COUNT(*) FROM schema_version WHERE version < 10000"));
            Assert.Equal("a later step", await TestDatabases.ScalarAsync<string>(cs, "SELECT name FROM schema_version WHERE version = @v", ("@v", Latest + 1)));
            Assert.Equal(1, await TestDatabases.ScalarAsync<long>(cs,
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'later_step'"));
        }
        finally
        {
            await TestDatabases.DropMySqlAsync(cs);
        }
    }

    [Fact]
    public async Task A_database_with_migrations_recorded_applies_the_ones_it_lacks_and_never_the_baseline()
    {
        var cs = TestDatabases.OltpDatabase("schema_upgrade");
        try
        {
            var store = ServiceStore.MySql(cs);
            await Migrations.ApplyAsync(store, OltpSchema.Migrations.Where(m => m.Version < 7).ToList(), NullLogger.Instance, default);
            await Migrations.ApplyAsync(store, OltpSchema.Migrations, NullLogger.Instance, default);

            Assert.Equal(Latest, await TestDatabases.ScalarAsync<long>(cs, "SELECT COUNT(*) FROM schema_version WHERE version < 10000"));
            Assert.Equal(0, await TestDatabases.ScalarAsync<long>(cs, "SELECT COUNT(*) FROM schema_version WHERE name LIKE '%(baseline)'"));
        }
        finally
        {
            await TestDatabases.DropMySqlAsync(cs);
        }
    }
}
