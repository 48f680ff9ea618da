namespace SidePool.Sandbox.Kubelet;

/// <summary>How the kubelet runs pods.</summary>
/// <param name="NodeName">The node whose pods it runs.</param>
/// <param name="StateDirectory">Full path: volumes live under <c>pods/&lt;uid&gt;/</c>; every podman object is labelled with it.</param>
/// <param name="PostgresSocketDirectory">The host PostgreSQL's socket directory; null: no forwarder in pods.</param>
/// <param name="PostgresPort">The host PostgreSQL's port (names its socket; the forwarder listens on it in every pod).</param>
/// <param name="CrashBackoff">The first restart delay of a crashed container.</param>
/// <param name="CrashBackoffMax">The longest restart delay.</param>
/// <param name="ApiPort">The API server's port on 127.0.0.1 (pods reach it there: <c>KUBERNETES_SERVICE_HOST</c>/<c>PORT</c>); 0: pods get no API access.</param>
/// <param name="PodSubnet">N of the pods' addresses 127.N.0.0/16.</param>
internal sealed record KubeletSettings(string NodeName, string StateDirectory, string? PostgresSocketDirectory, int PostgresPort, TimeSpan CrashBackoff, TimeSpan CrashBackoffMax, int ApiPort = 0, byte PodSubnet = 1)
{
    public const string ForwarderImage = "localhost/sidepool/forwarder:dev";
    public const string DatabaseHost = "postgres.sandbox.svc";
}
