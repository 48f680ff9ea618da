using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;

namespace SidePool.Operator.Webhook;

/// <summary>
/// A pool of the pod's namespace as the webhook sees it: the pool (metadata with creationTimestamp and
/// deletionTimestamp, spec) and the version new pods get. <see cref="Rendered"/> is null while the pool has no
/// rendered version yet (credentials missing, invalid spec): matching pods are then admitted without its sidecar.
/// </summary>
public sealed record PoolCandidate(ConnectionPool Pool, RenderedPool? Rendered, string? SidecarMode = null)
{
    public override string ToString() => $"PoolCandidate {{ Pool = {Pool.Metadata.Name}, Version = {Rendered?.ShortVersion ?? "none"}, SidecarMode = {SidecarMode} }}";
}

/// <summary>
/// Where the webhook finds pools (the host implements it from the informer cache; no API calls per admission).
/// Rendered versions must use <see cref="SidecarLayout"/> paths.
/// </summary>
public interface IPoolSource
{
    /// <summary>
    /// The pools of a namespace, each with the version a pod with <paramref name="podAnnotations"/> gets: the version
    /// its workload's stamp names (<see cref="VersionContract.Annotations.TemplateVersion"/>, copied from the template) when
    /// that version is published, else the current one.
    /// </summary>
    ValueTask<IReadOnlyList<PoolCandidate>> GetPoolsAsync(string @namespace, IDictionary<string, string>? podAnnotations, CancellationToken cancellationToken);
}
