using System.Net;
using System.Net.Sockets;
using SidePool.Sandbox.Podman;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// Runs one probe or httpGet/exec hook against a container, as the kubelet's prober does: httpGet succeeds on a status in
/// [200, 400) (redirects are not followed; keep-alive off; <c>User-Agent: kube-probe/1.35</c>), tcpSocket when a connection
/// opens, exec when the command exits 0; each within <c>timeoutSeconds</c>. httpGet and tcpSocket connect inside the pod's
/// network namespace (<see cref="NetworkNamespace"/>: no process per probe); exec runs <c>podman exec</c>. Hooks use
/// the same handlers with <c>User-Agent: kube-lifecycle/1.35</c>, as the kubelet's lifecycle handler sends.
/// </summary>
internal sealed class ProbeExecutor : IDisposable
{
    private readonly NetworkNamespace _network;
    private readonly PodmanCli _podman;
    private readonly HttpClient _http;

    public ProbeExecutor(NetworkNamespace network, PodmanCli podman)
    {
        _network = network;
        _podman = podman;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var address = IPAddress.TryParse(context.DnsEndPoint.Host, out var parsed) ? parsed : IPAddress.Loopback;
                var socket = await _network.ConnectAsync(address, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true }, // the kubelet does not verify probe certificates
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>True when the probe (or hook) succeeded within <paramref name="timeout"/>.</summary>
    public async Task<bool> RunAsync(HttpGetAction? httpGet, TcpSocketAction? tcpSocket, ExecAction? exec, Container container, string podmanName, TimeSpan timeout, CancellationToken cancellationToken, string userAgent = "kube-probe/1.35")
    {
        ArgumentNullException.ThrowIfNull(container);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            if (httpGet is not null)
            {
                var port = ResolvePort(httpGet.Port, container);
                var scheme = string.Equals(httpGet.Scheme, "HTTPS", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
                var path = httpGet.Path is { Length: > 0 } p ? (p.StartsWith('/') ? p : "/" + p) : "/";
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{scheme}://{httpGet.Host ?? "127.0.0.1"}:{port}{path}"));
                request.Headers.ConnectionClose = true;
                request.Headers.UserAgent.ParseAdd(userAgent);
                request.Headers.Accept.ParseAdd("*/*");
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
                return (int)response.StatusCode is >= 200 and < 400;
            }

            if (tcpSocket is not null)
            {
                var address = tcpSocket.Host is { Length: > 0 } host && IPAddress.TryParse(host, out var parsed) ? parsed : IPAddress.Loopback;
                using var socket = await _network.ConnectAsync(address, ResolvePort(tcpSocket.Port, container), limit.Token);
                return true;
            }

            if (exec?.Command is { Count: > 0 } command)
            {
                var result = await _podman.RunAsync(["exec", podmanName, .. command], limit.Token);
                return result.Succeeded;
            }

            return false;
        }
        catch (Exception error) when (error is HttpRequestException or SocketException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A number, or the name of one of the container's ports.</summary>
    public static int ResolvePort(IntOrString port, Container container)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(port);
        if (int.TryParse(port.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return container.Ports?.FirstOrDefault(p => p.Name == port.Value)?.ContainerPort
            ?? throw new ContainerConfigException($"port \"{port.Value}\" is not a port of container {container.Name}");
    }
}
