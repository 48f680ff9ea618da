using System.Text.Json.Nodes;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// Which containers are the app's, the ones that get a pool's env and mounts: by default every regular container
/// but the matching pools' sidecars; a pool that names containers (<c>spec.injection.containers</c>) may also name
/// init containers, except native sidecars (<c>restartPolicy: Always</c>) and the pools' own.
/// </summary>
internal sealed record AppContainers(IReadOnlyList<ContainerRef> Regular, IReadOnlyList<ContainerRef> Init)
{
    /// <summary>Regular containers, then init containers, each in pod order.</summary>
    public IEnumerable<ContainerRef> All => Regular.Concat(Init);

    public static AppContainers Of(PodInventory pod, IEnumerable<PoolInjection> pools)
    {
        var sidecarNames = pools.Select(p => VersionContract.Sidecar.Container(p.Name)).ToHashSet(StringComparer.Ordinal);
        var regular = Refs(pod.Containers, "/spec/containers", init: false).Where(c => !sidecarNames.Contains(c.Name)).ToList();
        var init = Refs(pod.InitContainers, "/spec/initContainers", init: true)
            .Where(c => !sidecarNames.Contains(c.Name) && c.Node["restartPolicy"]?.GetValue<string>() != "Always")
            .ToList();
        return new AppContainers(regular, init);
    }

    /// <summary>The containers a pool's <paramref name="names"/> select (none named: the regular ones), and the names the pod does not have.</summary>
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

    private static IEnumerable<ContainerRef> Refs(JsonArray array, string path, bool init) =>
        array.Select((node, index) => (node, index))
            .Where(x => x.node is JsonObject)
            .Select(x => new ContainerRef(((JsonObject)x.node!)["name"]?.GetValue<string>() ?? "", $"{path}/{x.index}", (JsonObject)x.node!, init));
}

/// <summary>
/// One container of the pod: its name, its JSON pointer (<see cref="Path"/>, which is what makes it this container:
/// equality is by path) and its JSON as the pod has it.
/// </summary>
internal sealed record ContainerRef(string Name, string Path, JsonObject Node, bool Init)
{
    /// <summary>The names of the variables the container sets in <c>env</c>.</summary>
    public HashSet<string> EnvNames() =>
        (Node["env"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(e => e["name"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The container's mount paths, without a trailing '/'.</summary>
    public HashSet<string> MountPaths() =>
        (Node["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(m => m["mountPath"] is JsonValue v && v.TryGetValue<string>(out var s) ? s.TrimEnd('/') : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

    public bool Equals(ContainerRef? other) => other is not null && other.Path == Path;

    public override int GetHashCode() => Path.GetHashCode(StringComparison.Ordinal);
}
