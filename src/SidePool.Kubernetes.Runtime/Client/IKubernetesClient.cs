using k8s;
using k8s.Models;

namespace SidePool.Kubernetes.Client;

/// <summary>The operator's entry point to the API server: one typed client per kind.</summary>
public interface IKubernetesClient
{
    /// <summary>The namespace used when a single-object call passes none (kubeconfig context, POD_NAMESPACE, ...).</summary>
    string DefaultNamespace { get; }

    /// <summary>KubernetesClient's own typed API, for the verbs outside <see cref="IResourceClient{T}"/> (pods/binding, pods/log).</summary>
    IKubernetes Api { get; }

    /// <summary>The verbs for one kind, built-in (<see cref="KubernetesResources"/>) or custom.</summary>
    IResourceClient<T> Resource<T>(ResourceType<T> type)
        where T : class, IKubernetesObject<V1ObjectMeta>;
}
