namespace SidePool.Contract;

public static partial class VersionContract
{
    /// <summary>Labels on the objects SidePool writes (Secrets) and stamps (pods).</summary>
    public static class Labels
    {
        /// <summary>On every Secret of a pool: the pool's name.</summary>
        public const string Pool = "sidepool.dev/pool";

        /// <summary>On a version Secret: the short version.</summary>
        public const string Version = "sidepool.dev/version";

        /// <summary>
        /// On every Secret of a pool: the key Secret (value <see cref="KeyComponent"/>), the client Secret
        /// (<see cref="ClientComponent"/>) and version Secrets (<see cref="VersionComponent"/>).
        /// </summary>
        public const string Component = "sidepool.dev/component";

        public const string KeyComponent = "key";

        public const string ClientComponent = "client";

        public const string VersionComponent = "version";

        /// <summary>
        /// On version Secrets a deleted pool left behind because running pods still mount them (no owner any more);
        /// the operator deletes them once no pod mounts them.
        /// </summary>
        public const string Orphaned = "sidepool.dev/orphaned";

        public const string ManagedBy = "app.kubernetes.io/managed-by";

        public const string ManagedByValue = "sidepool-operator";

        /// <summary>Prefix of the per-pool pod label keys.</summary>
        public const string PodPoolPrefix = "pools.sidepool.dev/";

        /// <summary>
        /// On each pod, per injected pool: <c>pools.sidepool.dev/&lt;pool&gt;</c> = the short version it runs, so pods are
        /// counted per version from labels alone (<c>kubectl get pods -l pools.sidepool.dev/orders-db</c>). Pool names
        /// longer than 63 characters keep their first 52 characters plus '-' and 10 hex characters of the name's SHA-256.
        /// </summary>
        public static string PodPool(string poolName) => PodPoolPrefix + DnsLabel.LabelValue(poolName);

        /// <summary>The value of <see cref="PodPool"/>: the short version.</summary>
        public static string PodPoolValue(string version) => Short(version);

        /// <summary>The short version of <paramref name="poolName"/> a pod's labels say it runs, or null.</summary>
        public static string? VersionOf(IDictionary<string, string>? podLabels, string poolName) =>
            podLabels is not null && podLabels.TryGetValue(PodPool(poolName), out var value) ? value : null;
    }
}
