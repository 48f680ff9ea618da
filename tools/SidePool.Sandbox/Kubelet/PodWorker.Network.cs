using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// The pod's addresses and the relays that stand in for the cluster network. A pod gets its own loopback address
/// (<see cref="PodAddressPool"/>, 127.1.0.0/16) as <c>status.podIP</c>; every declared TCP <c>containerPort</c> of its
/// containers (init containers and sidecars included) is served on the host at <c>podIP:port</c> by a relay whose far side
/// is a socket created inside the pod's network namespace, connected to <c>podIP:port</c> there (all of 127.0.0.0/8 is the
/// pod's own <c>lo</c>): as in a cluster, a server bound to <c>0.0.0.0</c> or the pod IP answers, one bound only to
/// 127.0.0.1 does not. The other way, the API server's port is served inside the pod on 127.0.0.1 and relayed to the host's
/// API server (<c>KUBERNETES_SERVICE_HOST=127.0.0.1</c>, <c>KUBERNETES_SERVICE_PORT=&lt;api port&gt;</c>). A hostNetwork pod
/// shares the host's network: its IP is the host's (127.0.0.1) and no relay is needed.
/// </summary>
internal sealed partial class PodWorker
{
    private readonly List<TcpRelay> _relays = [];
    private IPAddress? _address;

    private bool HostNetwork => _pod.Spec?.HostNetwork == true;

    /// <summary>The pod's IP: its own loopback address, or the host's for a hostNetwork pod.</summary>
    private string PodIp => HostNetwork ? "127.0.0.1" : _address?.ToString() ?? "127.0.0.1";

    /// <summary>The declared TCP container ports of every container (init containers and sidecars included), once each.</summary>
    internal static IReadOnlyList<int> DeclaredTcpPorts(PodSpec spec) =>
        (spec.InitContainers ?? []).Concat(spec.Containers ?? [])
            .SelectMany(c => c.Ports ?? [])
            .Where(p => p.Protocol is null or "TCP" && p.ContainerPort is > 0 and < 65536)
            .Select(p => p.ContainerPort)
            .Distinct()
            .Order()
            .ToList();

    /// <summary>Allocates the pod's address (not for hostNetwork pods).</summary>
    private void AllocateAddress()
    {
        if (!HostNetwork)
        {
            _address = _context.Addresses.Allocate();
        }
    }

    /// <summary>Starts the relays once the pod's network namespace exists.</summary>
    private async Task StartRelaysAsync(NetworkNamespace network)
    {
        if (HostNetwork || _address is not { } address)
        {
            return;
        }

        foreach (var port in DeclaredTcpPorts(_pod.Spec!))
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                listener.Bind(new IPEndPoint(address, port));
                listener.Listen(128);
            }
            catch (SocketException error)
            {
                listener.Dispose();
                _context.Logger.LogWarning("pod {Namespace}/{Name}: port {Port} not reachable at {Address}: {Error}", Namespace, Name, port, address, error.Message);
                continue;
            }

            var description = string.Create(CultureInfo.InvariantCulture, $"pod {Namespace}/{Name} {address}:{port}");
            AddRelay(TcpRelay.Start(listener, cancellationToken => network.ConnectAsync(address, port, cancellationToken), _context.Logger, description));
        }

        if (_context.Settings.ApiPort is > 0 and var apiPort)
        {
            var inside = await network.ListenAsync(IPAddress.Loopback, apiPort);
            AddRelay(TcpRelay.Start(inside, ConnectToApiServerAsync, _context.Logger, $"pod {Namespace}/{Name} → API server"));
        }
    }

    /// <summary>The kubelet's service variables for the API server (the only Service the sandbox has), as a real kubelet sets them for the <c>kubernetes</c> Service.</summary>
    private List<KeyValuePair<string, string>> ServiceEnvironment()
    {
        if (_context.Settings.ApiPort is not (> 0 and var port))
        {
            return [];
        }

        var text = port.ToString(CultureInfo.InvariantCulture);
        return
        [
            KeyValuePair.Create("KUBERNETES_SERVICE_HOST", "127.0.0.1"),
            KeyValuePair.Create("KUBERNETES_SERVICE_PORT", text),
            KeyValuePair.Create("KUBERNETES_SERVICE_PORT_HTTPS", text),
            KeyValuePair.Create("KUBERNETES_PORT", $"tcp://127.0.0.1:{text}"),
            KeyValuePair.Create($"KUBERNETES_PORT_{text}_TCP", $"tcp://127.0.0.1:{text}"),
            KeyValuePair.Create($"KUBERNETES_PORT_{text}_TCP_PROTO", "tcp"),
            KeyValuePair.Create($"KUBERNETES_PORT_{text}_TCP_PORT", text),
            KeyValuePair.Create($"KUBERNETES_PORT_{text}_TCP_ADDR", "127.0.0.1"),
        ];
    }

    private async Task<Socket> ConnectToApiServerAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _context.Settings.ApiPort), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void AddRelay(TcpRelay relay)
    {
        lock (_relays)
        {
            _relays.Add(relay);
        }
    }

    /// <summary>Closes the relays and gives the address back (the pod is gone).</summary>
    private void ReleaseNetwork()
    {
        lock (_relays)
        {
            if (_relays.Count > 0)
            {
                _context.Logger.LogInformation("pod {Namespace}/{Name}: {Count} relay(s) of {Address} closed", Namespace, Name, _relays.Count, PodIp);
            }

            foreach (var relay in _relays)
            {
                relay.Dispose();
            }

            _relays.Clear();
        }

        if (_address is { } address)
        {
            _address = null;
            _context.Addresses.Release(address);
        }
    }
}
