using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// Whether one pool's sidecar goes into the pod, and if not, why. The checks run in this order and the first that
/// applies decides: the pod has the sidecar already; <c>clientAuth: trust</c> on a <c>hostNetwork</c> pod; a
/// container of the pod declares the pool's port; an older pool has that port; (an unknown sidecar mode throws);
/// the pod already uses a volume name or (in a selected app container) a mount path of the pool's contract.
/// </summary>
internal abstract record PoolDecision(PoolOutcome Outcome, IReadOnlyList<string> Warnings)
{
    /// <summary>The sidecar is not added (or is there already); a port clash names who has the port.</summary>
    public sealed record Skip(PoolOutcome Outcome, IReadOnlyList<string> Warnings, PortConflict? Conflict) : PoolDecision(Outcome, Warnings);

    /// <summary>The sidecar is added: the pool's contract (built for <see cref="AgentPort"/>) and the app containers that get its env and mounts.</summary>
    public sealed record Inject(PoolOutcome Outcome, IReadOnlyList<string> Warnings, PodContract Contract, IReadOnlyList<ContainerRef> Containers, int AgentPort)
        : PoolDecision(Outcome, Warnings);

    /// <param name="addedVolumes">Volumes the patch adds for the pools decided before this one.</param>
    public static PoolDecision For(PoolInjection pool, PodInventory pod, AppContainers apps, PortChoice ports, IReadOnlySet<string> addedVolumes, InjectionOptions settings)
    {
        var shortVersion = VersionContract.Short(pool.Rendered.Version);
        Skip Skipped(PoolInjectionStatus status, IReadOnlyList<string> warnings, PortConflict? conflict = null) =>
            new(new PoolOutcome(pool.Name, status, shortVersion), warnings, conflict);

        if (pod.HasSidecarOf(pool.Name))
        {
            return Skipped(PoolInjectionStatus.AlreadyInjected, []);
        }

        if (pod.HostNetwork && pool.Spec.Sidecar.ClientAuth == "trust")
        {
            return Skipped(PoolInjectionStatus.RefusedHostNetwork, [$"sidepool: pool {pool.Name} not injected: clientAuth trust is refused for hostNetwork pods (loopback is the node's); use clientAuth scram"]);
        }

        var port = pool.Spec.Sidecar.Port;
        if (ports.DeclaredBy(port) is { } declared)
        {
            return Skipped(
                PoolInjectionStatus.PortInUse,
                [$"sidepool: pool {pool.Name} not injected: container {declared.Container} already declares port {port} ({declared.Field}{(pod.HostNetwork ? ", hostNetwork" : "")}); give the pool another sidecar.port"],
                new PortConflict(pool.Name, $"container {declared.Container}", port));
        }

        if (ports.OwnerOf(port) is { } owner)
        {
            return Skipped(
                PoolInjectionStatus.PortConflict,
                [$"sidepool: pool {pool.Name} not injected: port {port} is taken by the older pool {owner}"],
                new PortConflict(pool.Name, owner, port));
        }

        var mode = pool.SidecarMode ?? settings.SidecarMode;
        if (!SidecarModes.IsValid(mode))
        {
            throw new ArgumentException($"pool {pool.Name}: unknown sidecar mode '{mode}'", "pools"); // InjectionBuilder.Build's argument
        }

        var agentPort = ports.NextAgentPort();
        var contract = PodContract.Build(pool.Inputs(settings), settings, VersionContract.Secrets.Version(pool.Name, pool.Rendered.Version), agentPort);
        var containers = apps.Select(contract.AppContainers, out var unknown);
        var warnings = unknown.Select(name => $"sidepool: pool {pool.Name}: spec.injection.containers names {name}, which this pod does not have").ToList();
        if (NameInUse(contract, containers, pod, addedVolumes) is { } clash)
        {
            warnings.Add($"sidepool: pool {pool.Name} not injected: the pod already uses the volume or mount path {clash}");
            return Skipped(PoolInjectionStatus.NameInUse, warnings);
        }

        return new Inject(new PoolOutcome(pool.Name, PoolInjectionStatus.Injected, shortVersion), warnings, contract, containers, agentPort);
    }

    /// <summary>The first volume name of the contract the pod (or an earlier pool) uses, else the first app mount path a selected container uses.</summary>
    private static string? NameInUse(PodContract contract, IReadOnlyList<ContainerRef> containers, PodInventory pod, IReadOnlySet<string> addedVolumes)
    {
        var mountPaths = contract.AppMounts.Select(m => m["mountPath"]!.GetValue<string>()).ToList();
        return contract.Volumes.Select(v => v["name"]!.GetValue<string>()).FirstOrDefault(name => pod.VolumeNames.Contains(name) || addedVolumes.Contains(name))
            ?? containers.SelectMany(c => c.MountPaths()).FirstOrDefault(mountPaths.Contains);
    }
}
