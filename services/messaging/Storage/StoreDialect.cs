namespace CoffeeMesh.Messaging.Storage;

/// <summary>The two SQL dialects our services own databases in.</summary>
public enum StoreDialect
{
    MySql,
    PostgreSql,
}
