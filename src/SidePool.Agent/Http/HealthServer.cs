using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SidePool.Agent.Http;

/// <summary>
/// A deliberately tiny HTTP/1.1 server for probes, scrapes and the budget: GET/HEAD, and PUT with a small body
/// (<c>Content-Length</c> up to 4 KiB; only the budget endpoint takes one), one request per connection
/// (<c>Connection: close</c>), bounded request heads. Starts in microseconds and needs no ASP.NET Core.
/// </summary>
internal sealed class HealthServer : IAsyncDisposable
{
    private const int MaxHeadBytes = 8 * 1024;
    private const int MaxBodyBytes = 4 * 1024;
    private readonly TcpListener _listener;
    private readonly Func<HttpRequest, CancellationToken, Task<HttpResponse>> _handler;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _acceptLoop;

    public HealthServer(string address, int port, Func<string, CancellationToken, Task<HttpResponse>> handler)
        : this(address, port, (request, ct) => handler(request.Path, ct))
    {
    }

    public HealthServer(string address, int port, Func<HttpRequest, CancellationToken, Task<HttpResponse>> handler)
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
            var (head, rest) = await ReadHeadAsync(stream, timeout.Token);
            var response = await RespondAsync(stream, head, rest, timeout.Token);
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

    private async Task<HttpResponse> RespondAsync(NetworkStream stream, string? head, byte[] rest, CancellationToken cancellationToken)
    {
        var lines = head?.Split("\r\n") ?? [];
        var requestLine = lines.Length > 0 ? lines[0].Split(' ') : null;
        if (requestLine is not { Length: 3 } || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return HttpResponse.Text(400, "bad request");
        }

        if (requestLine[0] is not ("GET" or "HEAD" or "PUT"))
        {
            return HttpResponse.Text(405, "method not allowed");
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            if (line.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon)
            {
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
        }

        var body = Array.Empty<byte>();
        if (requestLine[0] == "PUT")
        {
            if (!int.TryParse(headers.GetValueOrDefault("content-length"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length) || length > MaxBodyBytes)
            {
                return HttpResponse.Text(length > MaxBodyBytes ? 413 : 411, "PUT needs a Content-Length of at most 4096 bytes");
            }

            body = new byte[length];
            var have = Math.Min(rest.Length, length);
            rest.AsSpan(0, have).CopyTo(body);
            await stream.ReadExactlyAsync(body.AsMemory(have), cancellationToken);
        }

        var path = requestLine[1].Split('?', 2)[0];
        try
        {
            return await _handler(new HttpRequest(requestLine[0], path, headers, body), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            AgentLog.Error("http", $"{path}: {e.GetType().Name}: {e.Message}");
            return HttpResponse.Text(500, "internal error");
        }
    }

    /// <summary>The request head (up to the blank line) and the bytes read after it (the start of a body).</summary>
    private static async Task<(string? Head, byte[] Remainder)> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
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
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) is >= 0 and var end)
            {
                return (Encoding.ASCII.GetString(buffer, 0, end), buffer.AsSpan(end + 4, length - end - 4).ToArray());
            }
        }

        return (length > 0 ? Encoding.ASCII.GetString(buffer, 0, length) : null, []);
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        503 => "Service Unavailable",
        _ => "Internal Server Error",
    };
}
