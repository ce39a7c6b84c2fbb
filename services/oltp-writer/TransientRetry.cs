using System.Net.Sockets;
using MassTransit;
using MySqlConnector;

namespace CoffeeMesh.OltpWriter;

/// <summary>
/// Retry policy for database work: transient failures (deadlocks, lock waits, a MariaDB restart)
/// are retried with backoff for several minutes while the message waits unacknowledged on the
/// broker; anything else is a poison message and goes to the _error queue at once, with its reason.
/// </summary>
public static class TransientRetry
{
    public static void Configure(IRetryConfigurator r)
    {
        r.Exponential(25, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        r.Handle<MySqlException>(IsTransient);
        r.Handle<SocketException>();
        r.Handle<TimeoutException>();
        r.Handle<IOException>();
    }

    public static bool IsTransient(MySqlException e) =>
        e.IsTransient
        || e.ErrorCode is MySqlErrorCode.LockDeadlock or MySqlErrorCode.LockWaitTimeout or MySqlErrorCode.UnableToConnectToHost
            or MySqlErrorCode.ServerShutdown or MySqlErrorCode.QueryInterrupted
        || e.InnerException is SocketException or IOException or EndOfStreamException;
}
