using SidePool.Kubernetes.Client;

namespace SidePool.Demo.Cluster;

/// <summary>
/// What the app under load (<see cref="ShopApp"/>), its log follower and the tour (<see cref="DemoRun"/>) need of a
/// cluster: a client, kubectl with its kubeconfig, and the PostgreSQL server the pools point at. The sandbox
/// (<see cref="SandboxCluster"/>) is one; a real cluster with PostgreSQL in it (tools/SidePool.ClusterE2E) is another.
/// </summary>
internal interface IAppCluster
{
    string Kubeconfig { get; }

    KubernetesClient Client { get; }

    IAppDatabase Database { get; }

    /// <summary>Runs kubectl against the cluster; returns stdout (throws with stderr on failure).</summary>
    Task<string> KubectlAsync(params string[] arguments);

    /// <summary>The operator's last <paramref name="count"/> log lines, where this process runs it (none otherwise).</summary>
    IReadOnlyList<string> OperatorLog(int count = 40);
}

/// <summary>The PostgreSQL server of an <see cref="IAppCluster"/>, as its pods reach it and as a superuser.</summary>
internal interface IAppDatabase
{
    /// <summary>The host and port the pools' <c>backend</c> names (as pods of the cluster reach the server).</summary>
    string Host { get; }

    int Port { get; }

    /// <summary>Creates a login role with a SCRAM password.</summary>
    Task CreateRoleAsync(string name, string password, CancellationToken cancellationToken = default);

    Task CreateDatabaseAsync(string name, string owner, CancellationToken cancellationToken = default);

    /// <summary>Runs a statement as the superuser in the <c>postgres</c> database.</summary>
    Task ExecuteAsync(string sql, CancellationToken cancellationToken = default);

    /// <summary>A query returning one integer (a count), as the superuser in the <c>postgres</c> database.</summary>
    Task<long> CountAsync(string sql, CancellationToken cancellationToken = default);
}
