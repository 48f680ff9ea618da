using System.Text.Json.Nodes;

namespace SidePool.Core;

/// <summary>
/// Pure: (pod JSON, matching pools, settings) → RFC 6902 patch that adds one sidecar per pool, the pool's env in
/// the app containers, volumes, stamps and the grace period. Never re-serializes the pod, so fields the models
/// do not know survive. See docs/webhook.md.
/// <para>
/// <see cref="Build"/> is the table of contents; each step is a file of this folder: what the pod already has
/// (<see cref="PodInventory"/>), which pool goes first (<see cref="PoolInjection.OldestFirst"/>), which containers
/// are the app's (<see cref="AppContainers"/>), which ports are taken and which agent port is free
/// (<see cref="PortChoice"/>), per pool the decision to inject or skip and why (<see cref="PoolDecision"/>), what the
/// answer reports (<see cref="InjectionReport"/>), and the patch (<see cref="InjectionPatch"/>: the app containers'
/// env and mounts in <see cref="AppContainerChanges"/>, sidecars and volumes in <see cref="SidecarPlacement"/>, the
/// <see cref="GracePeriod"/>, the <see cref="InjectionStamps"/>).
/// </para>
/// </summary>
public static class InjectionBuilder
{
    public static InjectionResult Build(JsonObject pod, IReadOnlyList<PoolInjection> pools, InjectionOptions settings)
    {
        var existing = PodInventory.Of(pod);
        var ordered = PoolInjection.OldestFirst(pools);
        var apps = AppContainers.Of(existing, ordered);
        var ports = PortChoice.Start(existing, ordered, settings.AgentPort);
        var report = new InjectionReport();
        var patch = new InjectionPatch(apps);
        foreach (var pool in ordered)
        {
            var decision = PoolDecision.For(pool, existing, apps, ports, patch.AddedVolumes, settings);
            report.Record(decision);
            if (decision is PoolDecision.Inject inject)
            {
                ports.Claim(pool.Name, pool.Spec.Sidecar.Port, inject.AgentPort);
                report.Warn(patch.Add(pool.Name, inject));
            }
        }

        return report.Result(patch.Write(pod, existing.Spec));
    }
}
