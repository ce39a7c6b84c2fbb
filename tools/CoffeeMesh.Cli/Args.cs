namespace CoffeeMesh.Cli;

/// <summary>Minimal --name value / --flag parsing; positional arguments in order.</summary>
public sealed class Args
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    public List<string> Positional { get; } = [];

    public Args(IEnumerable<string> args, params string[] flags)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var a = e.Current;
            if (a.StartsWith("--"))
            {
                var name = a[2..];
                if (name.Contains('=')) { _options[name[..name.IndexOf('=')]] = name[(name.IndexOf('=') + 1)..]; continue; }
                if (flags.Contains(name)) { _options[name] = null; continue; }
                _options[name] = e.MoveNext() ? e.Current : throw new UsageException($"--{name} needs a value");
            }
            else Positional.Add(a);
        }
    }

    public bool Has(string name) => _options.ContainsKey(name);
    public string? Get(string name) => _options.GetValueOrDefault(name);

    public long GetLong(string name, long fallback) =>
        Get(name) is { } v ? long.TryParse(v.Replace("_", ""), out var n) && n >= 0 ? n : throw new UsageException($"--{name} must be a whole number") : fallback;

    public double GetDouble(string name, double fallback) =>
        Get(name) is { } v ? double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : throw new UsageException($"--{name} must be a number") : fallback;

    public DateOnly? GetDate(string name) =>
        Get(name) is { } v ? DateOnly.TryParseExact(v, "yyyy-MM-dd", out var d) ? d : throw new UsageException($"--{name} must be a date like 2025-01-31") : null;
}

public sealed class UsageException(string message) : Exception(message);
