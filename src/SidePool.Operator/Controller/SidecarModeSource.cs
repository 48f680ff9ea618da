using SidePool.Core;


namespace SidePool.Operator.Controller;

/// <summary>The sidecar mode in force: the flag, or for <c>auto</c> what the nodes' kubelets allow.</summary>
public sealed class SidecarModeSource(string flag, ClusterView view)
{
    public string Current => flag == SidecarModeResolver.Auto
        ? SidecarModeResolver.Resolve(flag, view.Nodes!.Cache.List().Select(n => n.Status?.NodeInfo?.KubeletVersion))
        : SidecarModeResolver.Resolve(flag, []);
}
