using System.Data.Common;
using System.Text;
using CoffeeMesh.Messaging.Storage;
using MySqlConnector;

namespace CoffeeMesh.OltpWriter;

/// <summary>
/// Stores and products as slowly changing dimensions, type 2: each distinct run of attributes is a
/// version row (surrogate key, natural key, attributes, <c>valid_from</c>, <c>valid_to</c>,
/// <c>is_current</c>), and every sale stores the key of the version it was sold with, so no later
/// row can change what an earlier sale reports. Versions are ordered by their first sale (date and
/// time, then row_version); <c>valid_to</c> is the next version's <c>valid_from</c>.
/// <para>
/// A batch whose runs all match the versions that cover their first sale (nearly every batch)
/// only reads. Otherwise the natural keys that change are locked in ascending order (their row in
/// <c>stores</c> / <c>products</c>, which keeps the current attributes) and read again: a run the
/// next version already describes moves that version's start back to it; any other run becomes a
/// new version, recorded in <c>attribute_change</c> for the ingestion's summary when it changes a
/// key that had versions. A sale's key never changes once stored; when a change arrives dated
/// before sales already stored with the older attributes (batches stored out of time order), those
/// sales keep their own version, which then begins before the new one.
/// </para>
/// </summary>
public static class DimensionVersions
{
    /// <summary>One dimension's tables and columns (identifiers from this code, never from input).</summary>
    public sealed record Dimension(string Name, string VersionTable, string KeyColumn, string IdColumn, string CurrentTable, string[] Attributes);

    public static readonly Dimension Stores = new("store", "store_versions", "store_key", "store_id", "stores", ["store_location"]);
    public static readonly Dimension Products = new("product", "product_versions", "product_key", "product_id", "products",
        ["product_category", "product_type", "product_detail", "unit_price"]);

    /// <summary>A run of a batch's sales with one set of attributes: strings, and the price as a decimal.</summary>
    public sealed record Run(int Id, object[] Attributes, DateTime FirstSoldAt, long FirstRowVersion);

    private sealed class Version
    {
        public long Key;
        public int Id;
        public required object[] Attributes;
        public DateTime ValidFrom;
        public long FromVersion;
        public DateTime? ValidTo;
        public bool IsCurrent;
        public bool Changed;
    }

    /// <summary>
    /// The surrogate key of each run's version, in the order of <paramref name="runs"/>, creating
    /// versions as needed inside the batch's transaction.
    /// </summary>
    public static async Task<long[]> KeysAsync(MySqlConnection c, DbTransaction tx, Dimension d, IReadOnlyList<Run> runs, Guid ingestionId, DateTime now,
        CancellationToken ct)
    {
        var keys = new long[runs.Count];
        if (runs.Count == 0) return keys;
        var versions = await ReadAsync(c, tx, d, runs.Select(r => r.Id).Distinct(), forUpdate: false, ct);
        var changing = new SortedSet<int>();
        for (var i = 0; i < runs.Count; i++)
        {
            var list = versions.GetValueOrDefault(runs[i].Id);
            var at = list is null ? -1 : Covering(list, runs[i]);
            if (at >= 0 && Same(list![at].Attributes, runs[i].Attributes)) keys[i] = list[at].Key;
            else changing.Add(runs[i].Id);
        }
        if (changing.Count == 0) return keys;

        // The natural key's row is the lock that orders concurrent changes of one store or product:
        // the rows there are locked first, and only ids seen for the first time are inserted (an
        // INSERT IGNORE of an existing row would take a shared lock that two writers then both upgrade).
        var existing = await LockAsync(c, tx, d, changing, ct);
        var fresh = changing.Where(id => !existing.Contains(id)).ToList();
        if (fresh.Count > 0)
        {
            await InsertNewIdsAsync(c, tx, d, fresh, runs, now, ct);
            await LockAsync(c, tx, d, fresh, ct);
        }
        // Stamped after the locks: a writer that waited for another's change stamps its own later,
        // so olap-sync, which keeps the newer updated_at of each version, never keeps a stale one.
        now = DateTime.SpecifyKind(Convert.ToDateTime(await c.Command("SELECT UTC_TIMESTAMP(6)", tx).ExecuteScalarAsync(ct)), DateTimeKind.Utc);
        var locked = await ReadAsync(c, tx, d, changing, forUpdate: true, ct);

        foreach (var id in changing)
        {
            var list = locked.GetValueOrDefault(id) ?? [];
            var had = list.Count > 0;
            foreach (var i in Enumerable.Range(0, runs.Count).Where(i => runs[i].Id == id)
                         .OrderBy(i => runs[i].FirstSoldAt).ThenBy(i => runs[i].FirstRowVersion))
            {
                var run = runs[i];
                var at = Covering(list, run);
                if (at >= 0 && Same(list[at].Attributes, run.Attributes))
                {
                    keys[i] = list[at].Key;
                    continue;
                }
                if (at + 1 < list.Count && Same(list[at + 1].Attributes, run.Attributes))
                {
                    // The next version already says this: it begins at this run instead.
                    list[at + 1].ValidFrom = run.FirstSoldAt;
                    list[at + 1].FromVersion = run.FirstRowVersion;
                    list[at + 1].Changed = true;
                    keys[i] = list[at + 1].Key;
                    continue;
                }
                var version = new Version { Id = id, Attributes = run.Attributes, ValidFrom = run.FirstSoldAt, FromVersion = run.FirstRowVersion };
                version.Key = await InsertAsync(c, tx, d, version, ingestionId, now, ct);
                list.Insert(at + 1, version);
                keys[i] = version.Key;
                if (had) await RecordChangeAsync(c, tx, d, ingestionId, id, list[at >= 0 ? at : at + 2].Key, version, now, ct);
            }
            await CloseIntervalsAsync(c, tx, d, list, now, ct);
        }
        return keys;
    }

    /// <summary>Locks the natural keys' rows in ascending order; returns those that exist.</summary>
    private static async Task<HashSet<int>> LockAsync(MySqlConnection c, DbTransaction tx, Dimension d, IEnumerable<int> ids, CancellationToken ct)
    {
        var command = c.Command("", tx);
        command.CommandText = $"SELECT {d.IdColumn} FROM {d.CurrentTable} WHERE {d.IdColumn} IN ({command.WithEach("k", ids.Order())}) ORDER BY {d.IdColumn} FOR UPDATE";
        var found = new HashSet<int>();
        await using var r = await command.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) found.Add(r.GetInt32(0));
        return found;
    }

    /// <summary>The index of the last version that begins at or before the run's first sale; -1 when none does (binary search).</summary>
    private static int Covering(List<Version> list, Run run)
    {
        int lo = 0, hi = list.Count - 1, at = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var c = list[mid].ValidFrom.CompareTo(run.FirstSoldAt);
            if (c < 0 || (c == 0 && list[mid].FromVersion <= run.FirstRowVersion)) { at = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return at;
    }

    private static bool Same(object[] a, object[] b)
    {
        for (var i = 0; i < a.Length; i++)
            if (!a[i].Equals(b[i])) return false;
        return true;
    }

    /// <summary>Every version of the given natural keys, each key's in order of valid_from.</summary>
    private static async Task<Dictionary<int, List<Version>>> ReadAsync(MySqlConnection c, DbTransaction tx, Dimension d, IEnumerable<int> ids,
        bool forUpdate, CancellationToken ct)
    {
        var result = new Dictionary<int, List<Version>>();
        foreach (var chunk in ids.Chunk(500))
        {
            var command = c.Command("", tx);
            command.CommandText =
                $"SELECT {d.KeyColumn}, {d.IdColumn}, valid_from, valid_from_version, valid_to, is_current, {string.Join(", ", d.Attributes)} " +
                $"FROM {d.VersionTable} WHERE {d.IdColumn} IN ({command.WithEach("k", chunk)}) " +
                $"ORDER BY {d.IdColumn}, valid_from, valid_from_version{(forUpdate ? " FOR UPDATE" : "")}";
            await using var r = await command.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                var v = new Version
                {
                    Key = r.GetInt64(0), Id = r.GetInt32(1), ValidFrom = r.GetDateTime(2), FromVersion = r.GetInt64(3),
                    ValidTo = r.IsDBNull(4) ? null : r.GetDateTime(4), IsCurrent = r.GetBoolean(5),
                    Attributes = Enumerable.Range(6, d.Attributes.Length).Select(r.GetValue).ToArray(),
                };
                (result.TryGetValue(v.Id, out var list) ? list : result[v.Id] = []).Add(v);
            }
        }
        return result;
    }

    /// <summary>Natural keys seen for the first time get their row (with the first run's attributes), in ascending order.</summary>
    private static async Task InsertNewIdsAsync(MySqlConnection c, DbTransaction tx, Dimension d, IEnumerable<int> ids, IReadOnlyList<Run> runs,
        DateTime now, CancellationToken ct)
    {
        var first = runs.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => g.MinBy(r => (r.FirstSoldAt, r.FirstRowVersion))!);
        var columns = string.Join(", ", d.Attributes);
        foreach (var chunk in ids.Chunk(200))
        {
            var command = c.Command("", tx).With("@now", now);
            var values = new StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                if (i > 0) values.Append(", ");
                values.Append($"(@i{i}");
                command.With($"@i{i}", chunk[i]);
                for (var a = 0; a < d.Attributes.Length; a++)
                {
                    values.Append($", @a{i}_{a}");
                    command.With($"@a{i}_{a}", first[chunk[i]].Attributes[a]);
                }
                values.Append(", @now)");
            }
            command.CommandText = $"INSERT IGNORE INTO {d.CurrentTable} ({d.IdColumn}, {columns}, updated_at) VALUES {values}";
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task<long> InsertAsync(MySqlConnection c, DbTransaction tx, Dimension d, Version v, Guid ingestionId, DateTime now, CancellationToken ct)
    {
        var command = c.Command("", tx)
            .With("@id", v.Id).With("@from", v.ValidFrom).With("@fv", v.FromVersion).With("@ingestion", ingestionId).With("@now", now);
        for (var a = 0; a < d.Attributes.Length; a++) command.With($"@a{a}", v.Attributes[a]);
        command.CommandText =
            $"INSERT INTO {d.VersionTable} ({d.IdColumn}, {string.Join(", ", d.Attributes)}, valid_from, valid_from_version, valid_to, is_current, ingestion_id, updated_at) " +
            $"VALUES (@id, {string.Join(", ", d.Attributes.Select((_, a) => $"@a{a}"))}, @from, @fv, NULL, 0, @ingestion, @now)";
        await command.ExecuteNonQueryAsync(ct);
        v.Changed = true;
        return Convert.ToInt64(await c.Command("SELECT LAST_INSERT_ID()", tx).ExecuteScalarAsync(ct));
    }

    private static Task<int> RecordChangeAsync(MySqlConnection c, DbTransaction tx, Dimension d, Guid ingestionId, int id, long fromKey, Version to,
        DateTime now, CancellationToken ct) =>
        c.Command(
                """
                INSERT IGNORE INTO attribute_change (ingestion_id, dimension, natural_key, from_key, to_key, valid_from, recorded_at)
                VALUES (@ingestion, @dimension, @id, @from, @to, @validFrom, @now)
                """, tx)
            .With("@ingestion", ingestionId).With("@dimension", d.Name).With("@id", id).With("@from", fromKey).With("@to", to.Key)
            .With("@validFrom", to.ValidFrom).With("@now", now)
            .ExecuteNonQueryAsync(ct);

    /// <summary>valid_to is the next version's valid_from; the last version is the current one, and its attributes are the key's row.</summary>
    private static async Task CloseIntervalsAsync(MySqlConnection c, DbTransaction tx, Dimension d, List<Version> list, DateTime now, CancellationToken ct)
    {
        for (var i = 0; i < list.Count; i++)
        {
            var v = list[i];
            DateTime? validTo = i + 1 < list.Count ? list[i + 1].ValidFrom : null;
            var current = i == list.Count - 1;
            if (!v.Changed && v.ValidTo == validTo && v.IsCurrent == current) continue;
            await c.Command($"UPDATE {d.VersionTable} SET valid_from = @from, valid_from_version = @fv, valid_to = @to, is_current = @current, updated_at = @now " +
                            $"WHERE {d.KeyColumn} = @key", tx)
                .With("@from", v.ValidFrom).With("@fv", v.FromVersion).With("@to", validTo).With("@current", current).With("@now", now).With("@key", v.Key)
                .ExecuteNonQueryAsync(ct);
            v.ValidTo = validTo;
            v.IsCurrent = current;
        }
        var last = list[^1];
        var set = string.Join(", ", d.Attributes.Select((a, i) => $"{a} = @a{i}"));
        var command = c.Command($"UPDATE {d.CurrentTable} SET {set}, updated_at = @now WHERE {d.IdColumn} = @id", tx)
            .With("@id", last.Id).With("@now", now);
        for (var a = 0; a < d.Attributes.Length; a++) command.With($"@a{a}", last.Attributes[a]);
        await command.ExecuteNonQueryAsync(ct);
    }
}
