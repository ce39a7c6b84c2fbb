using System.Data.Common;
using MySqlConnector;
using Npgsql;

namespace CoffeeMesh.Messaging.Storage;

/// <summary>A service's own database: its tables, its outbox and its inbox live here.</summary>
public sealed class ServiceStore(DbDataSource dataSource, StoreDialect dialect, string connectionString)
{
    public DbDataSource DataSource { get; } = dataSource;
    public StoreDialect Dialect { get; } = dialect;
    public string ConnectionString { get; } = connectionString;

    public static ServiceStore MySql(string connectionString) =>
        new(new MySqlDataSourceBuilder(connectionString).Build(), StoreDialect.MySql, connectionString);

    public static ServiceStore PostgreSql(string connectionString) =>
        new(new NpgsqlDataSourceBuilder(connectionString).Build(), StoreDialect.PostgreSql, connectionString);

    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = DataSource.CreateConnection();
        await connection.OpenAsync(ct);
        return connection;
    }
}
