using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace SidePool.Kubernetes.Runtime.Tests.Support;

/// <summary>
/// A tiny HTTP/1.1 server on loopback (optionally TLS, optionally requiring a client certificate) that records every
/// request exactly as sent and lets the test write any bytes back.
/// </summary>
public sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<CapturedRequest, Stream, CancellationToken, Task> _respond;
    private readonly X509Certificate2? _certificate;
    private readonly bool _requireClientCertificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentBag<Task> _connections = [];

    private RawHttpServer(Func<CapturedRequest, Stream, CancellationToken, Task> respond, X509Certificate2? certificate, bool requireClientCertificate)
    {
        _respond = respond;
        _certificate = certificate;
        _requireClientCertificate = requireClientCertificate;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        BaseAddress = new Uri($"{(certificate is null ? "http" : "https")}://{(certificate is null ? "127.0.0.1" : "localhost")}:{port}/");
        _acceptLoop = AcceptAsync();
    }

    public Uri BaseAddress { get; }

    public ConcurrentQueue<CapturedRequest> Requests { get; } = new();

    /// <summary>Errors from connections (e.g. TLS handshakes the client refused).</summary>
    public ConcurrentQueue<Exception> ConnectionErrors { get; } = new();

    public static RawHttpServer Start(Func<CapturedRequest, Stream, CancellationToken, Task> respond, X509Certificate2? certificate = null, bool requireClientCertificate = false) =>
        new(respond, certificate, requireClientCertificate);

    /// <summary>Writes a complete response with Content-Length.</summary>
    public static async Task WriteResponseAsync(Stream stream, int code, string body, string contentType = "application/json", IDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder();
        head.Append("HTTP/1.1 ").Append(code).Append(' ').Append(((HttpStatusCode)code).ToString()).Append("\r\n");
        head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        head.Append("Content-Length: ").Append(bytes.Length).Append("\r\n");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), cancellationToken);
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>A Kubernetes Status error body.</summary>
    public static string StatusJson(int code, string reason, string message, string? details = null) =>
        $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"{{message}}","reason":"{{reason}}","code":{{code}}{{(details is null ? string.Empty : $",\"details\":{details}")}}}""";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(_connections.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _connections.Add(ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                Stream stream = client.GetStream();
                X509Certificate2? clientCertificate = null;
                if (_certificate is not null)
                {
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        ServerCertificate = _certificate,
                        ClientCertificateRequired = _requireClientCertificate,
                        RemoteCertificateValidationCallback = (_, _, _, _) => true,
                    }, _stop.Token);
                    clientCertificate = ssl.RemoteCertificate is null ? null : X509CertificateLoader.LoadCertificate(ssl.RemoteCertificate.GetRawCertData());
                    stream = ssl;
                }

                await using (stream)
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        var request = await ReadRequestAsync(stream, clientCertificate, _stop.Token);
                        if (request is null)
                        {
                            return;
                        }

                        Requests.Enqueue(request);
                        await _respond(request, stream, _stop.Token);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException or System.Security.Authentication.AuthenticationException)
            {
                ConnectionErrors.Enqueue(ex);
            }
        }
    }

    private static async Task<CapturedRequest?> ReadRequestAsync(Stream stream, X509Certificate2? clientCertificate, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            var read = await stream.ReadAsync(one, cancellationToken);
            if (read == 0)
            {
                return null;
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n')
            {
                break;
            }
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = Array.Empty<byte>();
        if (headers.TryGetValue("Content-Length", out var lengthText) && int.Parse(lengthText, System.Globalization.CultureInfo.InvariantCulture) is > 0 and var length)
        {
            body = new byte[length];
            await stream.ReadExactlyAsync(body, cancellationToken);
        }

        return new CapturedRequest(lines[0], headers, body, clientCertificate);
    }
}
