namespace SidePool.Kubernetes.FakeServer;

/// <summary>A <c>pods/log</c> request as the server validated it (the container resolved as the real API server does).</summary>
/// <param name="Namespace">The pod's namespace.</param>
/// <param name="Pod">The pod's name.</param>
/// <param name="PodUid">The pod's uid (the kubelet's key for a pod that is recreated under the same name).</param>
/// <param name="Container">The container (never empty: a single-container pod's only container when not named).</param>
/// <param name="Follow">Keep streaming until the container exits (<c>follow=true</c>).</param>
/// <param name="Previous">The previous (terminated) instance of the container.</param>
/// <param name="TailLines">Only the last lines, when set.</param>
/// <param name="Timestamps">Prefix every line with its RFC 3339 time.</param>
public sealed record PodLogRequest(string Namespace, string Pod, string PodUid, string Container, bool Follow, bool Previous, long? TailLines, bool Timestamps);
