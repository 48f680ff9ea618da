namespace SidePool.Contract;

/// <summary>
/// Where a pool's sidecar finds its files, socket and private state, and where app containers find the server CA.
/// The rendered <c>pgbouncer.ini</c> names these paths and the version covers them (they are in the container).
/// </summary>
public sealed record SidecarLayout
{
    public const string ConfigRoot = "/etc/sidepool";
    public const string SocketRoot = "/var/run/sidepool";

    /// <summary>The agent's private, writable directory (an emptyDir only the sidecar mounts).</summary>
    public const string RuntimeDirectoryPath = "/var/lib/sidepool";

    /// <summary>The version Secret, read-only: <c>/etc/sidepool/&lt;pool&gt;</c>.</summary>
    public required string ConfigDirectory { get; init; }

    /// <summary>PgBouncer's unix socket, shared with app containers when <c>unixSocket: true</c>: <c>/var/run/sidepool/&lt;pool&gt;</c>.</summary>
    public required string SocketDirectory { get; init; }

    /// <summary>Where the agent keeps the validated copy PgBouncer runs on.</summary>
    public string RuntimeDirectory { get; init; } = RuntimeDirectoryPath;

    /// <summary>In app containers (direct URL with a verified server): <c>/etc/sidepool/&lt;pool&gt;-ca/ca.crt</c>.</summary>
    public required string AppCaDirectory { get; init; }

    public string AppCaFile => AppCaDirectory + "/" + VersionContract.Files.AppCa;

    /// <summary>
    /// The layout of one pool: names from the pool name as a ≤ 63 character label, which keeps the socket path
    /// within the 108-byte unix socket limit.
    /// </summary>
    public static SidecarLayout For(string poolName) => new()
    {
        ConfigDirectory = ConfigRoot + "/" + DnsLabel.From(poolName),
        SocketDirectory = SocketRoot + "/" + DnsLabel.From(poolName),
        AppCaDirectory = ConfigRoot + "/" + DnsLabel.From(poolName + "-ca"),
    };
}
