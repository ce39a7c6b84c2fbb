using System.Net.Sockets;
using MassTransit;
using MySqlConnector;
using Npgsql;

namespace CoffeeMesh.Messaging;

/// <summary>
/// Retry policy for database work: transient failures (deadlocks, lock waits, a MariaDB or
/// PostgreSQL restart, a failed allocation under the heap limit) are retried with backoff, at most
/// 10 s apart so a stage resumes soon after the database is back, for about four minutes while the
/// message waits unacknowledged on the broker; anything else is a poison message and goes to the
/// _error queue at once, with its reason.
/// </summary>
public static class TransientRetry
{
    public static void Configure(IRetryConfigurator r)
    {
        r.Exponential(25, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200));
        r.Handle<MySqlException>(IsTransient);
        r.Handle<NpgsqlException>(IsTransient);
        r.Handle<SocketException>();
        r.Handle<TimeoutException>();
        r.Handle<IOException>();
        // Under a heap limit a burst of large batches can fail an allocation; once the GC has
        // caught up the same batch fits. Not a reason to dead-letter rows.
        r.Handle<OutOfMemoryException>();
    }

    public static bool IsTransient(MySqlException e) =>
        e.IsTransient
        || e.ErrorCode is MySqlErrorCode.LockDeadlock or MySqlErrorCode.LockWaitTimeout or MySqlErrorCode.UnableToConnectToHost
            or MySqlErrorCode.ServerShutdown or MySqlErrorCode.QueryInterrupted
            // A service deployed before the one that migrates the tables it reads (olap-sync reading oltp-writer's): wait for it.
            or MySqlErrorCode.NoSuchTable
        || e.InnerException is SocketException or IOException or EndOfStreamException;

    /// <summary>Npgsql's own verdict (connection loss, serialization failure, deadlock) plus a server going down.</summary>
    public static bool IsTransient(NpgsqlException e) =>
        e.IsTransient
        || e is PostgresException { SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable }
        || e.InnerException is SocketException or IOException or EndOfStreamException;
}
