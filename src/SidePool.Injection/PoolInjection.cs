using SidePool.Api;
using SidePool.Rendering;

namespace SidePool.Injection;

/// <summary>
/// A pool whose selector matches the pod, with the version new pods get. <see cref="Rendered"/> must have been
/// rendered with <see cref="SidecarLayout.For(string, InjectionSettings)"/> of the same pool and settings, so that
/// the paths in <c>pgbouncer.ini</c> are where the sidecar mounts them.
/// </summary>
public sealed record PoolInjection
{
    public required string Name { get; init; }

    public required ConnectionPoolSpec Spec { get; init; }

    /// <summary>Older pools win port clashes (then the smaller name).</summary>
    public required DateTimeOffset CreationTimestamp { get; init; }

    public required RenderedPool Rendered { get; init; }

    /// <summary>
    /// The sidecar mode <see cref="Rendered"/> was rendered with (the version hash covers it); null = the
    /// settings' mode.
    /// </summary>
    public string? SidecarMode { get; init; }

    public override string ToString() => $"PoolInjection {{ Name = {Name}, Version = {Rendered.ShortVersion} }}";
}
