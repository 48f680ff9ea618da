using System.Text;

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

    /// <summary>The version Secret: <c>&lt;pool&gt;-&lt;shortVersion&gt;</c>.</summary>
    public static string VersionSecret(string poolName, string version) => poolName + "-" + Api.Naming.Short(version);

    /// <summary>Env var holding the pool's backend password (secretKeyRef), used by <c>$(…)</c> interpolation.</summary>
    public static string PasswordVariable(string poolName) => "SIDEPOOL_" + EnvPart(poolName) + "_PASSWORD";

    private static string EnvPart(string poolName)
    {
        var builder = new StringBuilder(poolName.Length);
        foreach (var c in poolName.ToUpperInvariant())
        {
            builder.Append(c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') ? c : '_');
        }

        return builder.ToString();
    }
}
