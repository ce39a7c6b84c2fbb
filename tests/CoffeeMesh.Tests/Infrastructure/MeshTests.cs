namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>Base of the end-to-end test classes: the shared mesh is started before their first test.</summary>
public abstract class MeshTests(MeshFixture mesh) : IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await mesh.StartAsync();
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
