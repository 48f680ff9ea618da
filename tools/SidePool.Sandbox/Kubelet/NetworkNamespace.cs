using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// A pod's network namespace (its infra container's <c>/proc/PID/ns/net</c>, held open so it outlives the process). Probes
/// and httpGet hooks connect from inside it without a process per probe: a short-lived thread enters the namespace
/// (<c>setns(2)</c> affects only the calling thread) and creates the socket there; a socket stays in the namespace it was
/// created in, so it is then used from anywhere. Needs CAP_SYS_ADMIN (the sandbox runs as root, as rootful podman does).
/// </summary>
internal sealed partial class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly SafeFileHandle _handle;

    private NetworkNamespace(SafeFileHandle handle) => _handle = handle;

    public static NetworkNamespace Open(int pid) =>
        new(File.OpenHandle($"/proc/{pid}/ns/net", FileMode.Open, FileAccess.Read));

    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> inside the namespace.</summary>
    public async Task<Socket> ConnectAsync(IPAddress host, int port, CancellationToken cancellationToken)
    {
        var socket = await CreateSocketAsync(host.AddressFamily);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(host, port), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A socket listening on <paramref name="address"/>:<paramref name="port"/> inside the namespace.</summary>
    public async Task<Socket> ListenAsync(IPAddress address, int port)
    {
        var socket = await CreateSocketAsync(address.AddressFamily);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(128);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _handle.Dispose();

    private Task<Socket> CreateSocketAsync(AddressFamily family)
    {
        var result = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                // This thread never returns to the host namespace: it ends right after, so nothing else runs on it.
                if (SetNs(_handle, CloneNewNet) != 0)
                {
                    throw new IOException($"setns(CLONE_NEWNET) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                result.SetResult(new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
            }
            catch (Exception error)
            {
                result.SetException(error);
            }
        })
        {
            IsBackground = true,
            Name = "netns-socket",
        };
        thread.Start();
        return result.Task;
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(SafeFileHandle fd, int nstype);
}
