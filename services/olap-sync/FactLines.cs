using System.Buffers;
using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace CoffeeMesh.OlapSync;

/// <summary>
/// One batch's facts as PostgreSQL COPY text, held in memory (a batch is at most 10,000 lines of
/// under a hundred characters), with the dimension keys they name. Holding them lets a new batch be
/// copied straight into fact_sales, and copied again into the staging table should that fail.
/// </summary>
public sealed class FactLines : IDisposable
{
    private char[] _text = ArrayPool<char>.Shared.Rent(256 * 1024);
    private int _length;

    public int Count { get; private set; }
    public HashSet<int> Dates { get; } = [];
    public HashSet<int> Stores { get; } = [];
    public HashSet<int> Products { get; } = [];

    /// <summary>The COPY text so far, a line per fact.</summary>
    internal ReadOnlyMemory<char> Text => _text.AsMemory(0, _length);

    /// <summary>Lines as <see cref="OltpSource.ReadFactLinesAsync"/> builds them: transaction_id, date_id, time_id, store_id, product_id, ...</summary>
    public async Task ReadAsync(DbDataReader reader, CancellationToken ct)
    {
        while (await reader.ReadAsync(ct)) Add(reader.GetString(0));
    }

    public void Add(string line)
    {
        if (_length + line.Length + 1 > _text.Length) Grow(line.Length + 1);
        line.CopyTo(_text.AsSpan(_length));
        _length += line.Length;
        _text[_length++] = '\n';
        Count++;

        var fields = line.AsSpan();
        Next(ref fields); // transaction_id
        Dates.Add(NextInt(ref fields));
        Next(ref fields); // time_id
        Stores.Add(NextInt(ref fields));
        Products.Add(NextInt(ref fields));
    }

    /// <summary>The next tab-separated field; <paramref name="fields"/> moves past it.</summary>
    private static ReadOnlySpan<char> Next(ref ReadOnlySpan<char> fields)
    {
        var tab = fields.IndexOf('\t');
        var field = tab < 0 ? fields : fields[..tab];
        fields = tab < 0 ? [] : fields[(tab + 1)..];
        return field;
    }

    private static int NextInt(ref ReadOnlySpan<char> fields) => int.Parse(Next(ref fields), CultureInfo.InvariantCulture);

    /// <summary>The lines one by one (for the rare batch PostgreSQL refuses part of).</summary>
    public IReadOnlyList<string> Lines() => Text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>COPY of every line into <paramref name="table"/>, whose columns are <paramref name="columns"/>.</summary>
    public async Task CopyToAsync(NpgsqlConnection pg, string table, string columns, CancellationToken ct)
    {
        await using var copy = await pg.BeginTextImportAsync($"COPY {table} ({columns}) FROM STDIN", ct);
        await copy.WriteAsync(Text, ct);
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_text.Length * 2, _length + needed));
        _text.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<char>.Shared.Return(_text);
        _text = bigger;
    }

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_text);
        _text = [];
    }
}
