using System.Net;
using System.Net.Sockets;

namespace SidePool.Agent.Health;

/// <summary>Whether PgBouncer's TCP listener accepts a connection on <c>127.0.0.1:port</c> (connect, then close at once).</summary>
internal static class ListenerProbe
{
    public static async Task<string?> ProblemAsync(int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), deadline.Token);
            return null;
        }
        catch (SocketException e)
        {
            return $"pgbouncer does not accept connections on 127.0.0.1:{port}: {e.Message}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"pgbouncer does not accept connections on 127.0.0.1:{port}: no answer within {timeout.TotalSeconds:0.#} s";
        }
    }
}
