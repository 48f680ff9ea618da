using System.Text.Json.Nodes;

namespace SidePool.Core;

/// <summary>
/// Everything the injected pools add to the pod, written as RFC 6902 operations in an order that keeps every path
/// valid: 1. changes inside existing app containers (before a sidecar shifts any index), 2. volumes and sidecars,
/// 3. the grace period, 4. the stamps. Only <c>add</c> operations: the pod is never re-serialized, so fields the
/// models do not know survive. Nothing injected: no operations.
/// </summary>
internal sealed class InjectionPatch(AppContainers apps)
{
    private readonly AppContainerChanges appContainers = new(apps);
    private readonly SidecarPlacement sidecars = new();
    private readonly GracePeriod gracePeriod = new();
    private readonly InjectionStamps stamps = new();

    /// <summary>Names of the volumes added for the pools injected so far.</summary>
    public IReadOnlySet<string> AddedVolumes => sidecars.VolumeNames;

    /// <summary>Adds what <paramref name="pool"/>'s sidecar brings; returns the warnings of its env.</summary>
    public IReadOnlyList<string> Add(string pool, PoolDecision.Inject decision)
    {
        sidecars.Add(decision.Contract);
        var warnings = appContainers.Add(pool, decision.Containers, decision.Contract);
        gracePeriod.Cover(decision.Contract.GracePeriod);
        stamps.Add(pool, decision.Outcome.ShortVersion!);
        return warnings;
    }

    public JsonArray Write(JsonObject pod, JsonObject spec)
    {
        var patch = new PatchOperations();
        if (stamps.Any)
        {
            appContainers.WriteTo(patch);
            sidecars.WriteTo(patch, spec);
            gracePeriod.WriteTo(patch, spec);
            stamps.WriteTo(patch, pod);
        }

        return patch.Operations;
    }
}
