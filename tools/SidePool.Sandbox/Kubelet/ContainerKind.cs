namespace SidePool.Sandbox.Kubelet;

/// <summary>What a container is to its pod: a regular init container (runs to completion), a native sidecar (an init container with <c>restartPolicy: Always</c>) or an app container.</summary>
internal enum ContainerKind
{
    Init,
    Sidecar,
    App,
}
