using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace SidePool.Testing;

/// <summary>
/// Hands out loopback TCP ports for test servers. Ports come from 20000-32767, below Linux's ephemeral range
/// (32768-60999), so the source port of some outgoing connection never takes a port between the moment it is
/// handed out and the moment the server binds it; a counter shared by every test process of the machine (a file
/// under flock) keeps parallel test assemblies from getting the same port; and each port is checked to be free.
/// </summary>
public static class FreePort
{
    private const int First = 20000;
    private const int Last = 32767;
    private static readonly string CounterFile = Path.Combine(Path.GetTempPath(), "sidepool-tests-free-port.counter");

    public static int Next()
    {
        for (var attempt = 0; attempt < Last - First; attempt++)
        {
            var port = Take();
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free port in {First}-{Last}");
    }

    /// <summary>Waits until something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task WaitUntilListeningAsync(int port, TimeSpan timeout, Func<bool>? giveUp = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && giveUp?.Invoke() != true)
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    /// <summary>The next port of the machine-wide counter (the file is locked while it is read and advanced).</summary>
    private static int Take()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var file = new FileStream(CounterFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                Span<byte> bytes = stackalloc byte[4];
                var next = file.Read(bytes) == 4 ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : 0;
                if (next is < First or > Last)
                {
                    next = First + Random.Shared.Next(Last - First);
                }

                BinaryPrimitives.WriteInt32LittleEndian(bytes, next == Last ? First : next + 1);
                file.Position = 0;
                file.Write(bytes);
                return next;
            }
            catch (IOException) when (attempt < 2000)
            {
                Thread.Sleep(1); // another test process holds the lock
            }
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
