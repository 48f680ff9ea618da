using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.Models;

namespace SidePool.Kubernetes.Client;

/// <summary>The thin client over one <see cref="KubernetesApiConnection"/>.</summary>
public sealed class KubernetesClient : IKubernetesClient, IDisposable
{
    private readonly bool _ownsConnection;

    public KubernetesClient(KubernetesApiConnection connection, bool ownsConnection = false)
    {
        Connection = connection;
        _ownsConnection = ownsConnection;
    }

    public KubernetesClient(KubernetesConnectionSettings settings, KubernetesClientOptions? options = null)
        : this(new KubernetesApiConnection(settings, options), ownsConnection: true)
    {
    }

    public KubernetesApiConnection Connection { get; }

    public string DefaultNamespace => Connection.Settings.Namespace;

    /// <summary>In a pod: the service account; otherwise the kubeconfig (KUBECONFIG or ~/.kube/config).</summary>
    public static async Task<KubernetesClient> CreateDefaultAsync(KubeConfigLoadOptions? kubeConfig = null, KubernetesClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (kubeConfig is null && InClusterConfigLoader.DescribeAbsence() is { } notInCluster && KubeConfigLoader.DescribeMissing() is { } noKubeconfig)
        {
            throw new KubernetesConfigException($"No Kubernetes configuration found: {noKubeconfig}; {notInCluster}.");
        }

        var settings = kubeConfig is null && InClusterConfigLoader.IsInCluster()
            ? await InClusterConfigLoader.LoadAsync(cancellationToken: cancellationToken)
            : await KubeConfigLoader.LoadAsync(kubeConfig, cancellationToken);
        return new KubernetesClient(settings, options);
    }

    public IResourceClient<T> Resource<T>(ResourceType<T> type)
        where T : class, IKubernetesObject => new ResourceClient<T>(Connection, type);

    public void Dispose()
    {
        if (_ownsConnection)
        {
            Connection.Dispose();
        }
    }
}
