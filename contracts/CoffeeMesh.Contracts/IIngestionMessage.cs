namespace CoffeeMesh.Contracts;

/// <summary>A message about one ingestion: logs written while it is consumed are scoped with its id.</summary>
public interface IIngestionMessage
{
    Guid IngestionId { get; }
}

/// <summary>A message about one batch of an ingestion: logs are scoped with the ingestion id and the batch's sequence.</summary>
public interface IBatchMessage : IIngestionMessage
{
    int Sequence { get; }
}
