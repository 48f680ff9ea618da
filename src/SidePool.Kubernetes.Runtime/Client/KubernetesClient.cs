using k8s;
using k8s.Models;
using SidePool.Kubernetes.Config;

namespace SidePool.Kubernetes.Client;

/// <summary>
/// SidePool's typed entry point over KubernetesClient (<see cref="k8s.Kubernetes"/>): one <see cref="IResourceClient{T}"/>
/// per kind, throttled requests retried after Retry-After, and the default namespace of the configuration.
/// </summary>
public sealed class KubernetesClient : IKubernetesClient, IDisposable
{
    private readonly k8s.Kubernetes _api;

    public KubernetesClient(KubernetesClientConfiguration configuration, KubernetesClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        options ??= new KubernetesClientOptions();
        configuration.HttpClientTimeout = options.RequestTimeout;
        configuration.UserAgent ??= options.UserAgent;
        _api = new k8s.Kubernetes(configuration, new ThrottlingRetryHandler(options));
        DefaultNamespace = string.IsNullOrEmpty(configuration.Namespace) ? "default" : configuration.Namespace;
    }

    public string DefaultNamespace { get; }

    public IKubernetes Api => _api;

    /// <summary>A client for an API server at <paramref name="server"/> with no credentials (tests, the sandbox's fake server).</summary>
    public static KubernetesClient ForServer(Uri server, string @namespace = "default", KubernetesClientOptions? options = null, string? token = null) =>
        new(new KubernetesClientConfiguration { Host = server.ToString().TrimEnd('/'), Namespace = @namespace, AccessToken = token }, options);

    /// <summary>
    /// The client the kubeconfig (an explicit file, the KUBECONFIG list or ~/.kube/config) or, without one, the pod's
    /// service account configures; none found is one error naming every place looked at.
    /// </summary>
    public static async Task<KubernetesClient> CreateDefaultAsync(KubeConfigLoadOptions? kubeConfig = null, KubernetesClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (kubeConfig is null && InCluster.DescribeAbsence() is { } notInCluster && KubeConfigLoader.DescribeMissing() is { } noKubeconfig)
        {
            throw new KubernetesConfigException($"No Kubernetes configuration found: {noKubeconfig}; {notInCluster}.");
        }

        var configuration = kubeConfig is null && InCluster.IsInCluster()
            ? InCluster.Load()
            : await KubeConfigLoader.LoadAsync(kubeConfig, cancellationToken);
        return new KubernetesClient(configuration, options);
    }

    public IResourceClient<T> Resource<T>(ResourceType<T> type)
        where T : class, IKubernetesObject<V1ObjectMeta> => new ResourceClient<T>(_api, DefaultNamespace, type);

    public void Dispose() => _api.Dispose();
}
