namespace SidePool.Kubernetes.Models;

/// <summary>Anything the API server stores: it has apiVersion, kind and metadata. Custom resources implement this too.</summary>
public interface IKubernetesObject
{
    string? ApiVersion { get; }
    string? Kind { get; }
    ObjectMeta? Metadata { get; }
}
