using CoffeeMesh.Cli;

// The .NET half of ./coffeemesh: the commands that talk to the mesh or make data (CliApp).
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
return await CliApp.RunAsync(args, CliConsoles.ForProcess(), cts.Token);
