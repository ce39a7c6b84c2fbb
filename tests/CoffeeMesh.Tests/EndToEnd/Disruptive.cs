namespace CoffeeMesh.Tests.EndToEnd;

/// <summary>Crashes disturb every other test, so these run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(Disruptive), DisableParallelization = true)]
public sealed class Disruptive;
