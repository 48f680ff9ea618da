using System.Net;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// The pods' IP addresses: one loopback address per pod from 127.N.0.0/16 (<c>--pod-subnet</c>, default 127.1.0.0/16; Linux
/// routes all of 127.0.0.0/8 to <c>lo</c>, so every one is reachable on this machine without configuration), the lowest
/// free one first; released when the pod is gone. Addresses ending in .0 or .255 are skipped.
/// </summary>
internal sealed class PodAddressPool(byte subnet = 1)
{
    private readonly Lock _lock = new();
    private readonly HashSet<int> _used = [];

    /// <summary>Parses <c>--pod-subnet</c>: <c>127.N.0.0/16</c> with N in 1..254.</summary>
    public static byte ParseSubnet(string value)
    {
        var parts = value.Split('/');
        var octets = parts[0].Split('.');
        if (parts.Length != 2 || parts[1] != "16" || octets.Length != 4 || octets[0] != "127" || octets[2] != "0" || octets[3] != "0"
            || !byte.TryParse(octets[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n is 0 or 255)
        {
            throw new ArgumentException($"--pod-subnet {value}: expected 127.N.0.0/16 with N from 1 to 254");
        }

        return n;
    }

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

                return new IPAddress([127, subnet, (byte)(index >> 8), (byte)(index & 0xff)]);
            }

            throw new InvalidOperationException($"no free pod address left in 127.{subnet}.0.0/16");
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
