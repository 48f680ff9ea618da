using System.Net;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// The pods' IP addresses: one loopback address per pod from 127.1.0.0/16 (Linux routes all of 127.0.0.0/8 to <c>lo</c>,
/// so every one is reachable on this machine without configuration), the lowest free one first; released when the pod
/// is gone. Addresses ending in .0 or .255 are skipped.
/// </summary>
internal sealed class PodAddressPool
{
    private readonly Lock _lock = new();
    private readonly HashSet<int> _used = [];

    /// <summary>The next free address.</summary>
    public IPAddress Allocate()
    {
        lock (_lock)
        {
            for (var index = 1; index < 65535; index++)
            {
                if ((index & 0xff) is 0 or 255 || !_used.Add(index))
                {
                    continue;
                }

                return new IPAddress([127, 1, (byte)(index >> 8), (byte)(index & 0xff)]);
            }

            throw new InvalidOperationException("no free pod address left in 127.1.0.0/16");
        }
    }

    /// <summary>Gives <paramref name="address"/> back (again: no effect).</summary>
    public void Release(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bytes = address.GetAddressBytes();
        lock (_lock)
        {
            _used.Remove((bytes[2] << 8) | bytes[3]);
        }
    }
}
