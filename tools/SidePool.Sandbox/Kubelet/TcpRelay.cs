using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// Relays TCP connections from one network namespace into another without a process: accepts on a listening socket
/// (created in one namespace) and, per connection, opens a socket to the target (created in the other namespace, see
/// <see cref="NetworkNamespace"/>) and copies bytes both ways, a half-close passed on. A target that refuses the connection
/// gets the client's connection reset, as a closed port would. Disposing closes the listener and every relayed connection.
/// </summary>
internal sealed class TcpRelay : IDisposable
{
    private readonly Socket _listener;
    private readonly Func<CancellationToken, Task<Socket>> _connect;
    private readonly ILogger _logger;
    private readonly string _description;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();

    private TcpRelay(Socket listener, Func<CancellationToken, Task<Socket>> connect, ILogger logger, string description)
    {
        _listener = listener;
        _connect = connect;
        _logger = logger;
        _description = description;
    }

    /// <summary>Starts relaying from <paramref name="listener"/> (bound and listening) to what <paramref name="connect"/> opens.</summary>
    public static TcpRelay Start(Socket listener, Func<CancellationToken, Task<Socket>> connect, ILogger logger, string description)
    {
        var relay = new TcpRelay(listener, connect, logger, description);
        _ = Task.Run(relay.AcceptLoopAsync);
        return relay;
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            // Disposing alone leaves the port listening until the pending accept is torn down (seconds, measured);
            // shutdown(2) takes a listening socket out of LISTEN at once, so the port refuses from now on.
            _listener.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _listener.Dispose();
        foreach (var socket in _open.Keys)
        {
            socket.Dispose();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(Socket client)
    {
        client.NoDelay = true;
        Socket target;
        try
        {
            target = await _connect(_stop.Token);
        }
        catch (Exception error)
        {
            _logger.LogDebug("{Relay}: connection not relayed: {Error}", _description, error.Message);
            client.LingerState = new LingerOption(true, 0); // a reset, as a closed port answers
            client.Dispose();
            return;
        }

        _open[client] = 0;
        _open[target] = 0;
        if (_stop.IsCancellationRequested)
        {
            client.Dispose();
            target.Dispose();
        }

        try
        {
            await Task.WhenAll(CopyAsync(client, target), CopyAsync(target, client));
        }
        finally
        {
            _open.TryRemove(client, out _);
            _open.TryRemove(target, out _);
            client.Dispose();
            target.Dispose();
        }
    }

    private static async Task CopyAsync(Socket from, Socket to)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                var sent = 0;
                while (sent < read)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None);
                }
            }
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            // One side reset or went away: end both directions.
            from.Dispose();
            to.Dispose();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
