using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// Pure: (pod JSON, matching pools, settings) → RFC 6902 patch that adds one sidecar per pool, the pool's env in
/// the app containers, volumes, stamps and the grace period. Never re-serializes the pod, so fields the models
/// do not know survive. See docs/webhook.md.
/// </summary>
public static class InjectionBuilder
{
    /// <summary>Kubernetes' default <c>terminationGracePeriodSeconds</c>.</summary>
    public const long DefaultGracePeriodSeconds = 30;

    public static InjectionResult Build(JsonObject pod, IReadOnlyList<PoolInjection> pools, InjectionOptions settings)
    {
        var spec = pod["spec"] as JsonObject ?? throw new ArgumentException("the pod has no spec", nameof(pod));
        var containers = spec["containers"] as JsonArray ?? [];
        var initContainers = spec["initContainers"] as JsonArray ?? [];
        var volumes = spec["volumes"] as JsonArray ?? [];
        var hostNetwork = spec["hostNetwork"] is JsonValue hn && hn.TryGetValue<bool>(out var isHost) && isHost;

        var existingContainerNames = Names(containers).Concat(Names(initContainers)).ToHashSet(StringComparer.Ordinal);
        var volumeNames = Names(volumes).ToHashSet(StringComparer.Ordinal);
        var declaredPorts = DeclaredPorts(containers).Concat(DeclaredPorts(initContainers)).ToList();
        var usedPorts = declaredPorts.Select(p => p.Port).ToHashSet();
        var sidecarNames = pools.Select(p => VersionContract.Sidecar.Container(p.Name)).ToHashSet(StringComparer.Ordinal);

        var warnings = new List<string>();
        var outcomes = new List<PoolOutcome>();
        var conflicts = new List<PortConflict>();
        var ordered = pools
            .OrderBy(p => p.CreationTimestamp)
            .ThenBy(p => p.Name, StringComparer.Ordinal)
            .ToList();

        // Sidecars already in the pod keep their ports.
        var portOwners = new Dictionary<int, string>();
        foreach (var pool in ordered.Where(p => existingContainerNames.Contains(VersionContract.Sidecar.Container(p.Name))))
        {
            portOwners.TryAdd(pool.Spec.Sidecar.Port, pool.Name);
        }

        var targets = AppTargets(containers, initContainers, sidecarNames);
        var envAdds = new Dictionary<ContainerRef, List<JsonNode>>();
        var envNames = targets.All.ToDictionary(t => t, t => ExistingEnv(t.Node), ContainerRefComparer.Instance);
        var envOwners = new Dictionary<(ContainerRef, string), string>();
        var mountAdds = new Dictionary<ContainerRef, List<JsonNode>>();
        var newVolumes = new List<JsonNode>();
        var nativeSidecars = new List<JsonNode>();
        var classicSidecars = new List<JsonNode>();
        var stamps = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var gracePeriod = TimeSpan.Zero;
        var agentPort = settings.AgentPort;

        foreach (var pool in ordered)
        {
            var shortVersion = VersionContract.Short(pool.Rendered.Version);
            if (existingContainerNames.Contains(VersionContract.Sidecar.Container(pool.Name)))
            {
                outcomes.Add(new PoolOutcome(pool.Name, PoolInjectionStatus.AlreadyInjected, shortVersion));
                continue;
            }

            if (hostNetwork && pool.Spec.Sidecar.ClientAuth == "trust")
            {
                warnings.Add($"sidepool: pool {pool.Name} not injected: clientAuth trust is refused for hostNetwork pods (loopback is the node's); use clientAuth scram");
                outcomes.Add(new PoolOutcome(pool.Name, PoolInjectionStatus.RefusedHostNetwork, shortVersion));
                continue;
            }

            var port = pool.Spec.Sidecar.Port;
            if (declaredPorts.FirstOrDefault(p => p.Port == port) is { Container: not null } declared)
            {
                warnings.Add($"sidepool: pool {pool.Name} not injected: container {declared.Container} already declares port {port} ({declared.Field}{(hostNetwork ? ", hostNetwork" : "")}); give the pool another sidecar.port");
                conflicts.Add(new PortConflict(pool.Name, $"container {declared.Container}", port));
                outcomes.Add(new PoolOutcome(pool.Name, PoolInjectionStatus.PortInUse, shortVersion));
                continue;
            }

            if (portOwners.TryGetValue(port, out var owner))
            {
                warnings.Add($"sidepool: pool {pool.Name} not injected: port {port} is taken by the older pool {owner}");
                conflicts.Add(new PortConflict(pool.Name, owner, port));
                outcomes.Add(new PoolOutcome(pool.Name, PoolInjectionStatus.PortConflict, shortVersion));
                continue;
            }

            var mode = pool.SidecarMode ?? settings.SidecarMode;
            if (!SidecarModes.IsValid(mode))
            {
                throw new ArgumentException($"pool {pool.Name}: unknown sidecar mode '{mode}'", nameof(pools));
            }

            var candidateAgentPort = agentPort;
            while (usedPorts.Contains(candidateAgentPort) || portOwners.ContainsKey(candidateAgentPort) || ordered.Any(p => p.Spec.Sidecar.Port == candidateAgentPort))
            {
                candidateAgentPort++;
            }

            var contract = PodContract.Build(pool.Inputs(settings), settings, VersionContract.Secrets.Version(pool.Name, pool.Rendered.Version), candidateAgentPort);
            var selected = targets.Select(contract.AppContainers, out var unknown);
            foreach (var name in unknown)
            {
                warnings.Add($"sidepool: pool {pool.Name}: spec.injection.containers names {name}, which this pod does not have");
            }

            var mountPaths = contract.AppMounts.Select(m => m["mountPath"]!.GetValue<string>()).ToList();
            var clash = contract.Volumes.Select(v => v["name"]!.GetValue<string>()).FirstOrDefault(volumeNames.Contains)
                ?? selected.SelectMany(t => MountPaths(t.Node)).FirstOrDefault(mountPaths.Contains);
            if (clash is not null)
            {
                warnings.Add($"sidepool: pool {pool.Name} not injected: the pod already uses the volume or mount path {clash}");
                outcomes.Add(new PoolOutcome(pool.Name, PoolInjectionStatus.NameInUse, shortVersion));
                continue;
            }

            agentPort = candidateAgentPort;
            portOwners[port] = pool.Name;
            usedPorts.Add(port);
            usedPorts.Add(agentPort);
            (mode == SidecarModes.Native ? nativeSidecars : classicSidecars).Add(contract.Sidecar);
            foreach (var volume in contract.Volumes)
            {
                newVolumes.Add(volume);
                volumeNames.Add(volume["name"]!.GetValue<string>());
            }

            foreach (var target in selected)
            {
                AddEnvSet(pool.Name, target, contract.AppEnv, envNames[target], envOwners, List(envAdds, target), warnings);
                foreach (var mount in contract.AppMounts)
                {
                    List(mountAdds, target).Add(mount.DeepClone());
                }
            }

            gracePeriod = contract.GracePeriod > gracePeriod ? contract.GracePeriod : gracePeriod;
            stamps[pool.Name] = shortVersion;
            outcomes.Add(new PoolOutcome(pool.Name, PoolInjectionStatus.Injected, shortVersion));
        }

        var patch = new PatchOperations();
        if (stamps.Count > 0)
        {
            // 1. Changes inside existing containers (before sidecars shift any index).
            foreach (var target in targets.All)
            {
                if (envAdds.TryGetValue(target, out var env))
                {
                    patch.Append(target.Node, target.Path + "/env", "env", env);
                }

                if (mountAdds.TryGetValue(target, out var mounts))
                {
                    patch.Append(target.Node, target.Path + "/volumeMounts", "volumeMounts", mounts);
                }
            }

            // 2. Volumes and sidecars.
            patch.Append(spec, "/spec/volumes", "volumes", newVolumes);
            if (spec["initContainers"] is JsonArray)
            {
                // Prepended, in pool order: native sidecars start before the pod's own init containers.
                for (var i = nativeSidecars.Count - 1; i >= 0; i--)
                {
                    patch.Add("/spec/initContainers/0", nativeSidecars[i]);
                }
            }
            else if (nativeSidecars.Count > 0)
            {
                patch.Add("/spec/initContainers", new JsonArray([.. nativeSidecars]));
            }

            patch.Append(spec, "/spec/containers", "containers", classicSidecars);

            // 3. Grace period (only ever raised).
            var current = spec["terminationGracePeriodSeconds"] is JsonValue g && g.TryGetValue<long>(out var seconds) ? seconds : DefaultGracePeriodSeconds;
            var required = (long)Math.Ceiling(gracePeriod.TotalSeconds);
            if (required > current)
            {
                patch.Add("/spec/terminationGracePeriodSeconds", required);
            }

            // 4. Stamps.
            Stamp(pod, patch, stamps);
        }

        return new InjectionResult
        {
            Patch = patch.Operations,
            Warnings = warnings,
            Pools = outcomes,
            Conflicts = conflicts,
        };
    }

    private static void Stamp(JsonObject pod, PatchOperations patch, SortedDictionary<string, string> stamps)
    {
        if (pod["metadata"] is not JsonObject metadata)
        {
            patch.Add("/metadata", new JsonObject());
            metadata = [];
        }

        if (metadata["labels"] is JsonObject)
        {
            foreach (var (pool, version) in stamps)
            {
                patch.Add("/metadata/labels/" + JsonPointer.Escape(VersionContract.Labels.PodPool(pool)), version);
            }
        }
        else
        {
            var labels = new JsonObject();
            foreach (var (pool, version) in stamps)
            {
                labels[VersionContract.Labels.PodPool(pool)] = version;
            }

            patch.Add("/metadata/labels", labels);
        }

        var existing = metadata["annotations"] is JsonObject annotations && annotations[VersionContract.Annotations.Injected] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
        var injected = new Dictionary<string, string>(VersionContract.Annotations.ParseInjected(existing), StringComparer.Ordinal);
        foreach (var (pool, version) in stamps)
        {
            injected[pool] = version;
        }

        var value = VersionContract.Annotations.FormatInjected(injected);
        if (metadata["annotations"] is JsonObject)
        {
            patch.Add("/metadata/annotations/" + JsonPointer.Escape(VersionContract.Annotations.Injected), value);
        }
        else
        {
            patch.Add("/metadata/annotations", new JsonObject { [VersionContract.Annotations.Injected] = value });
        }
    }

    /// <summary>
    /// A pool's env goes into a container as one set, so variables of two pools never mix (PGPASSWORD of one next to
    /// PGHOST of another): when another (older) pool already gave this container any of the names, the whole set of
    /// this pool is left out. Names the pod itself sets are kept as the pod has them, each with a warning.
    /// </summary>
    private static void AddEnvSet(
        string pool,
        ContainerRef target,
        IReadOnlyList<(string Name, JsonObject Var)> set,
        HashSet<string> names,
        Dictionary<(ContainerRef, string), string> owners,
        List<JsonNode> adds,
        List<string> warnings)
    {
        var taken = set.Where(v => owners.ContainsKey((target, v.Name))).Select(v => (v.Name, Pool: owners[(target, v.Name)])).ToList();
        if (taken.Count > 0)
        {
            warnings.Add($"sidepool: pool {pool}: container {target.Name} gets no variables of this pool: {string.Join(", ", taken.Select(t => t.Name))} already come from pool {taken[0].Pool} (a pool's variables are set together or not at all; give the pools different injection.env names)");
            return;
        }

        foreach (var (name, variable) in set)
        {
            if (names.Add(name))
            {
                adds.Add(variable.DeepClone());
                owners[(target, name)] = pool;
            }
            else
            {
                warnings.Add($"sidepool: pool {pool}: container {target.Name} already sets {name}; it is left as it is");
            }
        }
    }

    private static List<JsonNode> List(Dictionary<ContainerRef, List<JsonNode>> map, ContainerRef key)
    {
        if (!map.TryGetValue(key, out var list))
        {
            list = [];
            map[key] = list;
        }

        return list;
    }

    private static IEnumerable<string> Names(JsonArray array) =>
        array.OfType<JsonObject>().Select(o => o["name"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>();

    /// <summary>Every containerPort and hostPort the pod's containers declare, with the container that declares it.</summary>
    private static IEnumerable<(int Port, string? Container, string Field)> DeclaredPorts(JsonArray containers) =>
        from container in containers.OfType<JsonObject>()
        from port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>()
        from field in new[] { "containerPort", "hostPort" }
        let number = port[field] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0
        where number > 0
        select (number, container["name"] is JsonValue name && name.TryGetValue<string>(out var text) ? text : "(unnamed)", field);

    private static HashSet<string> ExistingEnv(JsonObject container) =>
        (container["env"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(e => e["name"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> MountPaths(JsonObject container) =>
        (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(m => m["mountPath"] is JsonValue v && v.TryGetValue<string>(out var s) ? s.TrimEnd('/') : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    private static AppContainers AppTargets(JsonArray containers, JsonArray initContainers, HashSet<string> sidecarNames)
    {
        static IEnumerable<ContainerRef> Refs(JsonArray array, string path, bool init) =>
            array.Select((node, index) => (node, index))
                .Where(x => x.node is JsonObject)
                .Select(x => new ContainerRef(((JsonObject)x.node!)["name"]?.GetValue<string>() ?? "", $"{path}/{x.index}", (JsonObject)x.node!, init));

        var regular = Refs(containers, "/spec/containers", init: false).Where(c => !sidecarNames.Contains(c.Name)).ToList();
        var init = Refs(initContainers, "/spec/initContainers", init: true)
            .Where(c => !sidecarNames.Contains(c.Name) && c.Node["restartPolicy"]?.GetValue<string>() != "Always")
            .ToList();
        return new AppContainers(regular, init);
    }

    private sealed record ContainerRef(string Name, string Path, JsonObject Node, bool Init);

    private sealed class ContainerRefComparer : IEqualityComparer<ContainerRef>
    {
        public static readonly ContainerRefComparer Instance = new();

        public bool Equals(ContainerRef? x, ContainerRef? y) => x?.Path == y?.Path;

        public int GetHashCode(ContainerRef obj) => obj.Path.GetHashCode(StringComparison.Ordinal);
    }

    /// <summary>App containers: all regular containers by default; named ones may also be (non-sidecar) init containers.</summary>
    private sealed record AppContainers(IReadOnlyList<ContainerRef> Regular, IReadOnlyList<ContainerRef> Init)
    {
        public IEnumerable<ContainerRef> All => Regular.Concat(Init);

        public IReadOnlyList<ContainerRef> Select(IReadOnlyList<string> names, out IReadOnlyList<string> unknown)
        {
            if (names.Count == 0)
            {
                unknown = [];
                return Regular;
            }

            var wanted = names.ToHashSet(StringComparer.Ordinal);
            var selected = All.Where(c => wanted.Contains(c.Name)).ToList();
            unknown = [.. names.Where(n => selected.All(c => c.Name != n))];
            return selected;
        }
    }
}
