using System.Data.Common;
using System.Text;

namespace CoffeeMesh.Messaging.Storage;

public static class DbCommandExtensions
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value ?? DBNull.Value;
        command.Parameters.Add(p);
        return command;
    }

    /// <summary>
    /// Adds one parameter per value (@{prefix}0, @{prefix}1...) and returns their names
    /// comma-separated, for an IN (...) list that stays parameterised.
    /// </summary>
    public static string WithEach<T>(this DbCommand command, string prefix, IEnumerable<T> values)
    {
        var names = new StringBuilder();
        var i = 0;
        foreach (var value in values)
        {
            var name = $"@{prefix}{i++}";
            if (names.Length > 0) names.Append(',');
            names.Append(name);
            command.With(name, value);
        }
        return names.ToString();
    }
}
