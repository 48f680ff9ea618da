using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SidePool.Agent.Http;

/// <summary>
/// A deliberately tiny HTTP/1.1 server for probes and scrapes: GET/HEAD only, one request per connection
/// (<c>Connection: close</c>), bounded request heads. Starts in microseconds and needs no ASP.NET Core.
/// </summary>
internal sealed class HealthServer : IAsyncDisposable
{
    private const int MaxHeadBytes = 8 * 1024;
    private readonly TcpListener _listener;
    private readonly Func<string, CancellationToken, Task<HttpResponse>> _handler;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _acceptLoop;

    public HealthServer(string address, int port, Func<string, CancellationToken, Task<HttpResponse>> handler)
    {
        _listener = new TcpListener(IPAddress.Parse(address), port);
        _handler = handler;
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Start()
    {
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start(backlog: 64);
        _acceptLoop = AcceptLoopAsync(_stopping.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        if (_acceptLoop is not null)
        {
            try
            {
                await _acceptLoop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client, cancellationToken);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: false);
            var head = await ReadHeadAsync(stream, timeout.Token);
            var response = await RespondAsync(head, timeout.Token);
            var isHead = head?.StartsWith("HEAD ", StringComparison.Ordinal) == true;
            var body = Encoding.UTF8.GetBytes(response.Body);
            var header = $"HTTP/1.1 {response.Status} {Reason(response.Status)}\r\nContent-Type: {response.ContentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(header), timeout.Token);
            if (!isHead)
            {
                await stream.WriteAsync(body, timeout.Token);
            }

            client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the client went away or was too slow: nothing to answer
        }
    }

    private async Task<HttpResponse> RespondAsync(string? head, CancellationToken cancellationToken)
    {
        var requestLine = head?.Split("\r\n", 2)[0].Split(' ');
        if (requestLine is not { Length: 3 } || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return HttpResponse.Text(400, "bad request");
        }

        if (requestLine[0] is not ("GET" or "HEAD"))
        {
            return HttpResponse.Text(405, "method not allowed");
        }

        var path = requestLine[1].Split('?', 2)[0];
        try
        {
            return await _handler(path, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            AgentLog.Error("http", $"{path}: {e.GetType().Name}: {e.Message}");
            return HttpResponse.Text(500, "internal error");
        }
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHeadBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                return Encoding.ASCII.GetString(buffer, 0, length);
            }
        }

        return length > 0 ? Encoding.ASCII.GetString(buffer, 0, length) : null;
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };
}
