namespace CoffeeMesh.Tests.Infrastructure;

/// <summary>
/// A second mesh of the run whose ingest watches landing/incoming/ (as `./coffeemesh up` does),
/// with the cron schedule a year away: whatever it ingests from incoming/ was noticed by the watcher.
/// Its own databases, queues and landing folder; started on first use by the classes that need it.
/// </summary>
public sealed class WatchedMeshFixture() : MeshFixture("watch", watchIncoming: true);
