using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using MySqlConnector;
using Npgsql;

namespace CoffeeMesh.Messaging.Storage;

/// <summary>One versioned schema step. Steps are applied in order, each once, recorded in schema_version.</summary>
public sealed record Migration(int Version, string Name, IReadOnlyList<string> Statements)
{
    /// <summary>
    /// The whole schema as of this version, stated directly (CREATE TABLE, views, indexes), or null.
    /// A database with no migration recorded runs these statements instead of every step up to and
    /// including this one, and records those steps as applied, so later steps apply on top. A
    /// database that has steps recorded never runs it: it keeps applying the steps it lacks. It must
    /// build exactly what the steps build (the services' schema tests compare the two) and, like
    /// any MySQL step, be safe to rerun after an interruption (IF NOT EXISTS, OR REPLACE).
    /// </summary>
    public IReadOnlyList<string>? Baseline { get; init; }
}

/// <summary>
/// A statement that runs only while <paramref name="Condition"/> (a query returning a count) is
/// non-zero: MySQL has no IF EXISTS for ALTER TABLE's DROP INDEX and DROP COLUMN, and its DDL
/// commits at once, so a step interrupted halfway must be able to skip what it already did.
/// </summary>
public static class Guarded
{
    private const string Marker = "-- only if: ";

    public static string When(string condition, string sql) => Marker + condition.ReplaceLineEndings(" ") + "\n" + sql;

    internal static (string? Condition, string Sql) Split(string statement)
    {
        if (!statement.StartsWith(Marker, StringComparison.Ordinal)) return (null, statement);
        var end = statement.IndexOf('\n');
        return (statement[Marker.Length..end], statement[(end + 1)..]);
    }
}

/// <summary>
/// Creates the service's database if needed and applies its pending migrations: a database with
/// none recorded starts from the latest <see cref="Migration.Baseline"/>. Safe to run from several
/// replicas at once: a named lock (MySQL GET_LOCK / PostgreSQL advisory lock) serialises them.
/// </summary>
public static partial class Migrations
{
    /// <param name="migrations">The service's steps; when they create the outbox and inbox, the
    /// messaging tables' later steps are applied too (<see cref="MessagingSchema.WithLaterSteps"/>).</param>
    public static async Task ApplyAsync(ServiceStore store, IReadOnlyList<Migration> migrations, ILogger logger, CancellationToken ct)
    {
        migrations = MessagingSchema.WithLaterSteps(migrations, store.Dialect);
        await EnsureDatabaseAsync(store, ct);
        await using var connection = await store.OpenAsync(ct);
        await LockAsync(connection, store.Dialect, ct);
        try
        {
            await connection.Command(store.Dialect == StoreDialect.MySql
                ? "CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at DATETIME(6) NOT NULL)"
                : "CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL, applied_at timestamptz NOT NULL)")
                .ExecuteNonQueryAsync(ct);
            var applied = new HashSet<int>();
            await using (var reader = await connection.Command("SELECT version FROM schema_version").ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) applied.Add(reader.GetInt32(0));

            // A fresh database is built from the latest baseline: today's tables in one readable step
            // instead of the history of steps that changed them.
            var baseline = applied.Count == 0 ? migrations.Where(m => m.Baseline is not null).MaxBy(m => m.Version) : null;
            if (baseline is not null)
            {
                var covered = migrations.Where(m => m.Version <= baseline.Version).ToList();
                await using var tx = await connection.BeginTransactionAsync(ct);
                await RunAsync(connection, tx, baseline.Baseline!, ct);
                foreach (var migration in covered)
                    await RecordAsync(connection, tx, migration.Version, $"{migration.Name} (baseline)", ct);
                await tx.CommitAsync(ct);
                applied.UnionWith(covered.Select(m => m.Version));
                logger.LogInformation("Created the schema as of migration {Version} from its baseline", baseline.Version);
            }

            foreach (var migration in migrations.OrderBy(m => m.Version))
            {
                if (applied.Contains(migration.Version)) continue;
                // MySQL DDL commits implicitly, so each statement must be safe to rerun (IF NOT EXISTS).
                await using var tx = await connection.BeginTransactionAsync(ct);
                await RunAsync(connection, tx, migration.Statements, ct);
                await RecordAsync(connection, tx, migration.Version, migration.Name, ct);
                await tx.CommitAsync(ct);
                logger.LogInformation("Applied migration {Version} {Name}", migration.Version, migration.Name);
            }
        }
        finally
        {
            await UnlockAsync(connection, store.Dialect);
        }
    }

    private static async Task RunAsync(DbConnection connection, DbTransaction tx, IReadOnlyList<string> statements, CancellationToken ct)
    {
        foreach (var statement in statements)
        {
            var (condition, sql) = Guarded.Split(statement);
            if (condition is not null && Convert.ToInt64(await connection.Command(condition, tx).ExecuteScalarAsync(ct)) == 0) continue;
            await connection.Command(sql, tx).ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task RecordAsync(DbConnection connection, DbTransaction tx, int version, string name, CancellationToken ct) =>
        await connection.Command("INSERT INTO schema_version (version, name, applied_at) VALUES (@v, @n, @t)", tx)
            .With("@v", version).With("@n", name).With("@t", DateTime.UtcNow)
            .ExecuteNonQueryAsync(ct);

    private static async Task EnsureDatabaseAsync(ServiceStore store, CancellationToken ct)
    {
        if (store.Dialect == StoreDialect.MySql)
        {
            var csb = new MySqlConnectionStringBuilder(store.ConnectionString);
            var database = ValidName(csb.Database);
            csb.Database = "";
            await using var connection = new MySqlConnection(csb.ConnectionString);
            await connection.OpenAsync(ct);
            await connection.Command($"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin").ExecuteNonQueryAsync(ct);
        }
        else
        {
            var csb = new NpgsqlConnectionStringBuilder(store.ConnectionString);
            var database = ValidName(csb.Database!);
            csb.Database = "postgres";
            await using var connection = new NpgsqlConnection(csb.ConnectionString);
            await connection.OpenAsync(ct);
            var exists = await connection.Command("SELECT 1 FROM pg_database WHERE datname = @d").With("@d", database).ExecuteScalarAsync(ct);
            if (exists is null)
            {
                try { await connection.Command($"CREATE DATABASE \"{database}\"").ExecuteNonQueryAsync(ct); }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase) { }
            }
        }
    }

    private static async Task LockAsync(DbConnection connection, StoreDialect dialect, CancellationToken ct)
    {
        if (dialect == StoreDialect.MySql)
        {
            // A long migration (one that rewrites a big table) outlasts one wait: keep waiting, never migrate without the lock.
            while (Convert.ToInt64(await connection.Command("SELECT GET_LOCK('coffeemesh_migrations', 60)").ExecuteScalarAsync(ct) ?? 0L) != 1) { }
        }
        else
            await connection.Command("SELECT pg_advisory_lock(7263411)").ExecuteScalarAsync(ct);
    }

    private static async Task UnlockAsync(DbConnection connection, StoreDialect dialect)
    {
        if (dialect == StoreDialect.MySql)
            await connection.Command("SELECT RELEASE_LOCK('coffeemesh_migrations')").ExecuteScalarAsync();
        else
            await connection.Command("SELECT pg_advisory_unlock(7263411)").ExecuteScalarAsync();
    }

    // Identifiers cannot be parameters: allow only a conservative shape.
    private static string ValidName(string? name) =>
        name is not null && NameShape().IsMatch(name) ? name
            : throw new InvalidOperationException($"Database name '{name}' is not allowed (use a-z, 0-9, _).");

    [GeneratedRegex("^[A-Za-z0-9_]{1,64}$")]
    private static partial Regex NameShape();
}
