namespace SidePool.Contract;

public static partial class VersionContract
{
    /// <summary>Names of what the webhook adds to a pod for one pool (deterministic, each ≤ 63 characters).</summary>
    public static class Sidecar
    {
        /// <summary>Container <c>sidepool-&lt;pool&gt;</c> (shortened with a hash beyond 63 characters).</summary>
        public static string Container(string poolName) => DnsLabel.From("sidepool-" + poolName);

        /// <summary>The volume of the version Secret.</summary>
        public static string ConfigVolume(string poolName) => DnsLabel.From("sidepool-" + poolName + "-config");

        /// <summary>The emptyDir with PgBouncer's unix socket.</summary>
        public static string SocketVolume(string poolName) => DnsLabel.From("sidepool-" + poolName + "-socket");

        /// <summary>The sidecar's private emptyDir: the validated copy PgBouncer runs on.</summary>
        public static string StateVolume(string poolName) => DnsLabel.From("sidepool-" + poolName + "-state");

        /// <summary>The server CA for app containers (one key of the version Secret).</summary>
        public static string CaVolume(string poolName) => DnsLabel.From("sidepool-" + poolName + "-ca");
    }

    /// <summary>Variables app containers get (besides the URL variables a pool names in <c>spec.injection.env</c>).</summary>
    public static class AppEnv
    {
        public const string Host = "PGHOST";

        public const string Port = "PGPORT";

        public const string Database = "PGDATABASE";

        public const string User = "PGUSER";

        /// <summary>Only under clientAuth scram: a secretKeyRef to <see cref="Files.ClientPassword"/>.</summary>
        public const string Password = "PGPASSWORD";
    }
}
