using SidePool.Api;

namespace SidePool.Core;

/// <summary>
/// A pool whose selector matches the pod, with the version new pods get (<see cref="Rendered"/>, as published by
/// <see cref="PoolVersionBuilder"/>).
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

    /// <summary>What this published version's contract is built from (the client user is the one its files serve).</summary>
    public ContractInputs Inputs(InjectionOptions settings) => new()
    {
        PoolName = Name,
        Spec = Spec,
        ClientUser = AppEnvironment.UserOf(Rendered),
        Image = Rendered.Image,
        SidecarMode = SidecarMode ?? settings.SidecarMode,
    };

    /// <summary>Precedence among the pools of one pod: the older first, then the smaller name (the first wins a port or an env name).</summary>
    public static IReadOnlyList<PoolInjection> OldestFirst(IEnumerable<PoolInjection> pools) =>
    [
        .. pools.OrderBy(p => p.CreationTimestamp).ThenBy(p => p.Name, StringComparer.Ordinal),
    ];

    public override string ToString() => $"PoolInjection {{ Name = {Name}, Version = {Rendered.ShortVersion} }}";
}
