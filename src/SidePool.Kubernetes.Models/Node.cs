namespace SidePool.Kubernetes.Models;

/// <summary><c>v1 Node</c>: read for the kubelet version (native sidecars need 1.29+ on every node).</summary>
public sealed record Node : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "v1";
    public string? Kind { get; init; } = "Node";
    public ObjectMeta? Metadata { get; init; }
    public NodeStatus? Status { get; init; }
}

/// <summary><c>v1 NodeStatus</c>.</summary>
public sealed record NodeStatus
{
    public NodeSystemInfo? NodeInfo { get; init; }
}

/// <summary><c>v1 NodeSystemInfo</c>. The API marks every field required; all are strings.</summary>
public sealed record NodeSystemInfo
{
    public string MachineID { get; init; } = string.Empty;
    public string SystemUUID { get; init; } = string.Empty;
    public string BootID { get; init; } = string.Empty;
    public string KernelVersion { get; init; } = string.Empty;
    public string OsImage { get; init; } = string.Empty;
    public string ContainerRuntimeVersion { get; init; } = string.Empty;
    public string KubeletVersion { get; init; } = string.Empty;
    public string KubeProxyVersion { get; init; } = string.Empty;
    public string OperatingSystem { get; init; } = string.Empty;
    public string Architecture { get; init; } = string.Empty;
}
