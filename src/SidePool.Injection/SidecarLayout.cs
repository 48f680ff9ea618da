using SidePool.Rendering;

namespace SidePool.Injection;

/// <summary>
/// Where a pool's sidecar finds its files and socket. The reconciler must render each pool with this layout:
/// the rendered <c>pgbouncer.ini</c> names these paths and the version hash covers them.
/// </summary>
public static class SidecarLayout
{
    public const string ConfigRoot = "/etc/sidepool";
    public const string SocketRoot = "/var/run/sidepool";

    /// <summary>
    /// <c>/etc/sidepool/&lt;pool&gt;</c> and <c>/var/run/sidepool/&lt;pool&gt;</c> (the pool name as a ≤ 63 character
    /// label, which keeps the socket path within the 108-byte unix socket limit), the operator's default image
    /// and sidecar mode.
    /// </summary>
    public static RenderLayout For(string poolName, InjectionSettings settings) =>
        For(poolName, settings.SidecarMode, settings.DefaultImage);

    /// <summary>The layout for an explicit sidecar mode (when the mode in force is chosen per cluster).</summary>
    public static RenderLayout For(string poolName, string sidecarMode, string defaultImage) => new()
    {
        ConfigDirectory = ConfigRoot + "/" + DnsLabel.From(poolName),
        SocketDirectory = SocketRoot + "/" + DnsLabel.From(poolName),
        DefaultImage = defaultImage,
        SidecarMode = sidecarMode,
    };
}
