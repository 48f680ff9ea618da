using System.Net;
using System.Net.Sockets;

namespace SidePool.Operator.Hosting;

/// <summary>Whether a TCP port can be listened on, checked before the host starts so that a taken port is one clear line.</summary>
internal static class PortProbe
{
    /// <summary>Null when <paramref name="port"/> is free on every address, else why not.</summary>
    public static string? Problem(int port, string flag)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            return null;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return $"cannot listen on port {port} ({flag}): {(ex.SocketErrorCode == SocketError.AddressAlreadyInUse ? "address already in use" : "permission denied")}";
        }
    }
}
