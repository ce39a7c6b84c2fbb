using System.Diagnostics;
using System.Text;
using CoffeeMesh.Cli;

// The .NET half of ./coffeemesh: the commands that talk to the mesh or make data.
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
try
{
    var command = args.FirstOrDefault();
    var rest = args.Skip(1);
    return command switch
    {
        "generate" => Generate(new Args(rest)),
        "ingest" => await IngestCommand.RunAsync(new Args(rest, "wait", "json"), cts.Token),
        "status" => await IngestCommand.StatusAsync(new Args(rest, "json"), cts.Token),
        "errors" => await ErrorsCommand.ListAsync(new Args(rest, "json"), cts.Token),
        "replay" => await ErrorsCommand.ReplayAsync(new Args(rest), cts.Token),
        _ => throw new UsageException("commands: generate, ingest, status, errors, replay"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (HttpRequestException e)
{
    Console.Error.WriteLine($"the ingest service did not answer ({e.Message}); is the mesh up? (./coffeemesh up)");
    return 1;
}

static int Generate(Args args)
{
    var output = args.Get("out") ?? throw new UsageException("usage: generate --rows N --out FILE [--start yyyy-MM-dd] [--days D] [--dirty FRACTION] [--seed S]");
    var settings = new GeneratorSettings(
        Rows: args.GetLong("rows", 10_000),
        Start: args.GetDate("start") ?? new DateOnly(2025, 1, 1),
        Days: (int)args.GetLong("days", 30),
        DirtyFraction: args.GetDouble("dirty", 0),
        Seed: (int)args.GetLong("seed", 1));
    if (settings.Days < 1) throw new UsageException("--days must be at least 1");
    if (settings.DirtyFraction is < 0 or > 1) throw new UsageException("--dirty is a fraction between 0 and 1");
    var stopwatch = Stopwatch.StartNew();
    var generator = new SalesGenerator(settings);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
    using (var writer = new StreamWriter(output, false, new UTF8Encoding(false), 1 << 20))
        generator.Write(writer);
    Console.WriteLine($"wrote {settings.Rows} rows ({new FileInfo(output).Length / 1e6:0.0} MB) to {output} in {stopwatch.Elapsed.TotalSeconds:0.0}s");
    var dirty = generator.DirtyCounts.Where(kv => kv.Value > 0).ToList();
    if (dirty.Count > 0)
    {
        Console.WriteLine($"dirty rows: {dirty.Sum(kv => kv.Value)}");
        foreach (var (kind, count) in dirty) Console.WriteLine($"  {kind,-24} {count}");
    }
    return 0;
}
