namespace SidePool.Injection;

/// <summary>Names of what the webhook adds to a pod for one pool (all deterministic, all ≤ 63 characters).</summary>
public static class SidecarNames
{
    /// <summary>Container name <c>sidepool-&lt;pool&gt;</c> (shortened with a hash beyond 63 characters).</summary>
    public static string Container(string poolName) => DnsLabel.From("sidepool-" + poolName);

    /// <summary>The Secret volume with the version's files.</summary>
    public static string ConfigVolume(string poolName) => DnsLabel.From("sidepool-" + poolName + "-config");

    /// <summary>The emptyDir with PgBouncer's unix socket.</summary>
    public static string SocketVolume(string poolName) => DnsLabel.From("sidepool-" + poolName + "-socket");

    /// <summary>The sidecar's private emptyDir: the validated copy PgBouncer runs on.</summary>
    public static string StateVolume(string poolName) => DnsLabel.From("sidepool-" + poolName + "-state");

    /// <summary>The server CA for app containers (one key of the version Secret).</summary>
    public static string CaVolume(string poolName) => DnsLabel.From("sidepool-" + poolName + "-ca");

    /// <summary>The version Secret: <c>&lt;pool&gt;-&lt;shortVersion&gt;</c>.</summary>
    public static string VersionSecret(string poolName, string version) => poolName + "-" + Api.Naming.Short(version);
}
