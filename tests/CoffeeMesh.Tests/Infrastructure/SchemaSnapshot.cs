using MySqlConnector;
using Npgsql;

namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>
/// A database's schema as sorted text lines read from its catalogue: tables, columns (position,
/// name, type, nullability, default), keys and indexes, constraints, views and triggers. Two
/// databases built the same way give the same lines, whatever their names.
/// </summary>
public static class SchemaSnapshot
{
    /// <summary>The schema of the MySQL/MariaDB database the connection string names.</summary>
    public static async Task<IReadOnlyList<string>> MySqlAsync(string connectionString)
    {
        var database = new MySqlConnectionStringBuilder(connectionString).Database;
        await using var c = new MySqlConnection(connectionString);
        await c.OpenAsync();
        var lines = new List<string>();
        await ReadAsync(c, "table", """
            SELECT table_name, table_type, engine, table_collation, auto_increment
            FROM information_schema.tables WHERE table_schema = DATABASE()
            """, lines);
        await ReadAsync(c, "column", """
            SELECT table_name, ordinal_position, column_name, column_type, is_nullable, column_default, extra, collation_name
            FROM information_schema.columns WHERE table_schema = DATABASE()
            """, lines);
        await ReadAsync(c, "index", """
            SELECT table_name, index_name, non_unique, seq_in_index, column_name, sub_part, index_type
            FROM information_schema.statistics WHERE table_schema = DATABASE()
            """, lines);
        await ReadAsync(c, "constraint", """
            SELECT table_name, constraint_name, constraint_type
            FROM information_schema.table_constraints WHERE table_schema = DATABASE()
            """, lines);
        await ReadAsync(c, "view", """
            SELECT table_name, view_definition, check_option, is_updatable, security_type
            FROM information_schema.views WHERE table_schema = DATABASE()
            """, lines);
        await ReadAsync(c, "trigger", """
            SELECT event_object_table, trigger_name, action_timing, event_manipulation, action_statement
            FROM information_schema.triggers WHERE trigger_schema = DATABASE()
            """, lines);
        // A view's definition names its database: compare it without.
        return lines.Select(l => l.Replace($"`{database}`.", "")).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The schema (public) of the PostgreSQL database the connection string names.</summary>
    public static async Task<IReadOnlyList<string>> PostgresAsync(string connectionString)
    {
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync();
        var lines = new List<string>();
        await ReadAsync(c, "relation", """
            SELECT c.relname, c.relkind FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'i', 'S')
            """, lines);
        // Position among the live columns: attnum keeps gaps where a column was dropped.
        await ReadAsync(c, "column", """
            SELECT c.relname, row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum), a.attname,
                   format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity, pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
            """, lines);
        await ReadAsync(c, "constraint", """
            SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            """, lines);
        await ReadAsync(c, "index", "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'", lines);
        await ReadAsync(c, "view", "SELECT viewname, definition FROM pg_views WHERE schemaname = 'public'", lines);
        await ReadAsync(c, "trigger", """
            SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid)
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
            """, lines);
        return lines.Order(StringComparer.Ordinal).ToList();
    }

    private static async Task ReadAsync(System.Data.Common.DbConnection c, string kind, string sql, List<string> lines)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            var fields = new string[r.FieldCount];
            for (var i = 0; i < r.FieldCount; i++) fields[i] = r.IsDBNull(i) ? "NULL" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
            lines.Add($"{kind}: {string.Join(" | ", fields)}");
        }
    }
}
