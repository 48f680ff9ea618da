using SidePool.Demo.Cluster;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;

namespace SidePool.ClusterE2E;

/// <summary>
/// Any cluster a kubeconfig names, as the demo's tour needs it (<see cref="IAppCluster"/>): the client, kubectl with
/// that kubeconfig, and a PostgreSQL server running in the cluster (<see cref="InClusterPostgres"/>).
/// </summary>
internal sealed class RealCluster : IAppCluster, IDisposable
{
    private readonly InClusterPostgres _postgres;

    private RealCluster(string kubeconfig, KubernetesClient client)
    {
        Kubeconfig = kubeconfig;
        Client = client;
        _postgres = new InClusterPostgres(this);
    }

    public string Kubeconfig { get; }

    public KubernetesClient Client { get; }

    public IAppDatabase Database => _postgres;

    public InClusterPostgres Postgres => _postgres;

    /// <summary>
    /// The cluster of <paramref name="kubeconfig"/>; a missing or unusable file is a <see cref="UsageException"/> naming
    /// it, a cluster that does not answer (kubectl version) another.
    /// </summary>
    public static async Task<RealCluster> ConnectAsync(string kubeconfig, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(kubeconfig);
        if (!File.Exists(path))
        {
            throw new UsageException($"kubeconfig {path}: no such file");
        }

        KubernetesClient client;
        try
        {
            client = await KubernetesClient.CreateDefaultAsync(new KubeConfigLoadOptions { ExplicitPath = path }, cancellationToken: cancellationToken);
        }
        catch (KubernetesConfigException e)
        {
            throw new UsageException($"kubeconfig {path}: {OneLine(e.Message)}");
        }

        var cluster = new RealCluster(path, client);
        var version = await Tool.RunAsync("kubectl", ["--kubeconfig", path, "--request-timeout=10s", "version", "-o", "json"], cancellationToken: cancellationToken);
        if (version.ExitCode != 0)
        {
            cluster.Dispose();
            throw new UsageException($"kubeconfig {path}: the cluster does not answer: {OneLine(version.Stderr)}");
        }

        return cluster;
    }

    public async Task<string> KubectlAsync(params string[] arguments) =>
        (await Tool.RunAsync("kubectl", ["--kubeconfig", Kubeconfig, .. arguments])).Ok($"kubectl {string.Join(' ', arguments)}");

    /// <summary>The operator runs in the cluster (the chart's Deployment): read it with <c>kubectl logs</c>.</summary>
    public IReadOnlyList<string> OperatorLog(int count = 40) => [];

    public void Dispose() => Client.Dispose();

    private static string OneLine(string text) =>
        string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
}
