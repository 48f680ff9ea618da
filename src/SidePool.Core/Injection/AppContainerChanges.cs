using System.Text.Json.Nodes;

namespace SidePool.Core;

/// <summary>
/// What the app containers get from the injected pools: env and volume mounts, appended per container after what it
/// has. A pool's env goes into a container as one set, so variables of two pools never mix (PGPASSWORD of one next
/// to PGHOST of another): when an older pool already gave this container any of the names, the whole set of this
/// pool is left out. Names the container itself sets are kept as the pod has them, each with a warning.
/// </summary>
internal sealed class AppContainerChanges(AppContainers apps)
{
    private readonly Dictionary<ContainerRef, List<JsonNode>> env = [];
    private readonly Dictionary<ContainerRef, HashSet<string>> envNames = apps.All.ToDictionary(c => c, c => c.EnvNames());
    private readonly Dictionary<(ContainerRef Container, string Name), string> envOwners = [];
    private readonly Dictionary<ContainerRef, List<JsonNode>> mounts = [];

    /// <summary>Adds the env set and the mounts of <paramref name="pool"/> to <paramref name="containers"/>; returns the warnings.</summary>
    public IReadOnlyList<string> Add(string pool, IReadOnlyList<ContainerRef> containers, PodContract contract)
    {
        var warnings = new List<string>();
        foreach (var container in containers)
        {
            AddEnvSet(pool, container, contract.AppEnv, warnings);
            foreach (var mount in contract.AppMounts)
            {
                ListOf(mounts, container).Add(mount.DeepClone());
            }
        }

        return warnings;
    }

    /// <summary>Writes the additions, container by container (regular, then init, in pod order): env, then mounts.</summary>
    public void WriteTo(PatchOperations patch)
    {
        foreach (var container in apps.All)
        {
            if (env.TryGetValue(container, out var variables))
            {
                patch.Append(container.Node, container.Path + "/env", "env", variables);
            }

            if (mounts.TryGetValue(container, out var containerMounts))
            {
                patch.Append(container.Node, container.Path + "/volumeMounts", "volumeMounts", containerMounts);
            }
        }
    }

    private void AddEnvSet(string pool, ContainerRef container, IReadOnlyList<(string Name, JsonObject Var)> set, List<string> warnings)
    {
        var taken = set.Where(v => envOwners.ContainsKey((container, v.Name))).Select(v => (v.Name, Pool: envOwners[(container, v.Name)])).ToList();
        if (taken.Count > 0)
        {
            warnings.Add($"sidepool: pool {pool}: container {container.Name} gets no variables of this pool: {string.Join(", ", taken.Select(t => t.Name))} already come from pool {taken[0].Pool} (a pool's variables are set together or not at all; give the pools different injection.env names)");
            return;
        }

        var adds = ListOf(env, container);
        foreach (var (name, variable) in set)
        {
            if (envNames[container].Add(name))
            {
                adds.Add(variable.DeepClone());
                envOwners[(container, name)] = pool;
            }
            else
            {
                warnings.Add($"sidepool: pool {pool}: container {container.Name} already sets {name}; it is left as it is");
            }
        }
    }

    private static List<JsonNode> ListOf(Dictionary<ContainerRef, List<JsonNode>> map, ContainerRef key)
    {
        if (!map.TryGetValue(key, out var list))
        {
            list = [];
            map[key] = list;
        }

        return list;
    }
}
