using System.Text.Json.Nodes;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// What the pod already has, read once before any pool is looked at: its containers and init containers, the
/// names its containers and volumes use, the ports its containers declare, and whether it runs on the node's network.
/// </summary>
internal sealed record PodInventory
{
    public required JsonObject Spec { get; init; }

    public required JsonArray Containers { get; init; }

    public required JsonArray InitContainers { get; init; }

    /// <summary><c>hostNetwork: true</c> (loopback is the node's).</summary>
    public required bool HostNetwork { get; init; }

    /// <summary>Names of the containers and init containers (a pool's sidecar among them: the pool is injected already).</summary>
    public required IReadOnlySet<string> ContainerNames { get; init; }

    public required IReadOnlySet<string> VolumeNames { get; init; }

    /// <summary>Every <c>containerPort</c> and <c>hostPort</c> of the containers, then of the init containers.</summary>
    public required IReadOnlyList<DeclaredPort> DeclaredPorts { get; init; }

    public bool HasSidecarOf(string pool) => ContainerNames.Contains(VersionContract.Sidecar.Container(pool));

    public static PodInventory Of(JsonObject pod)
    {
        var spec = pod["spec"] as JsonObject ?? throw new ArgumentException("the pod has no spec", nameof(pod));
        var containers = spec["containers"] as JsonArray ?? [];
        var initContainers = spec["initContainers"] as JsonArray ?? [];
        return new PodInventory
        {
            Spec = spec,
            Containers = containers,
            InitContainers = initContainers,
            HostNetwork = spec["hostNetwork"] is JsonValue value && value.TryGetValue<bool>(out var isHost) && isHost,
            ContainerNames = Names(containers).Concat(Names(initContainers)).ToHashSet(StringComparer.Ordinal),
            VolumeNames = Names(spec["volumes"] as JsonArray ?? []).ToHashSet(StringComparer.Ordinal),
            DeclaredPorts = [.. DeclaredPortsOf(containers), .. DeclaredPortsOf(initContainers)],
        };
    }

    private static IEnumerable<string> Names(JsonArray array) =>
        array.OfType<JsonObject>().Select(o => o["name"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>();

    private static IEnumerable<DeclaredPort> DeclaredPortsOf(JsonArray containers) =>
        from container in containers.OfType<JsonObject>()
        from port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>()
        from field in new[] { "containerPort", "hostPort" }
        let number = port[field] is JsonValue v && v.TryGetValue<int>(out var n) ? n : 0
        where number > 0
        select new DeclaredPort(number, container["name"] is JsonValue name && name.TryGetValue<string>(out var text) ? text : "(unnamed)", field);
}

/// <summary>A port a container of the pod declares, as <see cref="Field"/> (<c>containerPort</c> or <c>hostPort</c>).</summary>
internal sealed record DeclaredPort(int Port, string Container, string Field);
