using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// The pod/version contract of one pool, in one place: everything the webhook adds to a pod for it (the sidecar
/// container, its volumes, the app env, the app mounts, the grace period it needs). The version is a hash of this
/// (see <see cref="VersionHash"/>), so whatever a running pod captured at start cannot change without a new version.
/// </summary>
public sealed record PodContract
{
    /// <summary>The sidecar container (an init container with <c>restartPolicy: Always</c> in native mode).</summary>
    public required JsonObject Sidecar { get; init; }

    /// <summary>Where the sidecar goes: <see cref="SidecarModes.Native"/> (initContainers) or classic (containers).</summary>
    public required string SidecarMode { get; init; }

    /// <summary>Pod volumes: the version Secret, the socket and state emptyDirs, and the CA for app containers when needed.</summary>
    public required IReadOnlyList<JsonObject> Volumes { get; init; }

    /// <summary>The app containers that get the env and mounts (<c>spec.injection.containers</c>; empty = every regular container).</summary>
    public required IReadOnlyList<string> AppContainers { get; init; }

    /// <summary>Env for each selected app container, as one set.</summary>
    public required IReadOnlyList<(string Name, JsonObject Var)> AppEnv { get; init; }

    /// <summary>Volume mounts for each selected app container (socket, CA).</summary>
    public required IReadOnlyList<JsonObject> AppMounts { get; init; }

    /// <summary>What <c>terminationGracePeriodSeconds</c> must at least be for the sidecar to drain.</summary>
    public required TimeSpan GracePeriod { get; init; }

    public static PodContract Build(ContractInputs inputs, InjectionOptions settings, string versionSecret, int agentPort)
    {
        var pool = inputs.PoolName;
        var layout = inputs.Layout;
        var volumes = new List<JsonObject>
        {
            new() { ["name"] = VersionContract.Sidecar.ConfigVolume(pool), ["secret"] = new JsonObject { ["secretName"] = versionSecret } },
            new() { ["name"] = VersionContract.Sidecar.SocketVolume(pool), ["emptyDir"] = new JsonObject() },
            new() { ["name"] = VersionContract.Sidecar.StateVolume(pool), ["emptyDir"] = new JsonObject { ["medium"] = "Memory", ["sizeLimit"] = "16Mi" } },
        };
        var mounts = new List<JsonObject>();
        if (inputs.Spec.Sidecar.UnixSocket)
        {
            mounts.Add(new JsonObject { ["name"] = VersionContract.Sidecar.SocketVolume(pool), ["mountPath"] = layout.SocketDirectory });
        }

        if (inputs.AppsNeedCa)
        {
            volumes.Add(new JsonObject
            {
                ["name"] = VersionContract.Sidecar.CaVolume(pool),
                ["secret"] = new JsonObject
                {
                    ["secretName"] = versionSecret,
                    ["items"] = new JsonArray(new JsonObject { ["key"] = VersionContract.Files.ServerCa, ["path"] = VersionContract.Files.AppCa }),
                },
            });
            mounts.Add(new JsonObject { ["name"] = VersionContract.Sidecar.CaVolume(pool), ["mountPath"] = layout.AppCaDirectory, ["readOnly"] = true });
        }

        return new PodContract
        {
            Sidecar = SidecarContainer.Build(inputs, settings, agentPort),
            SidecarMode = inputs.SidecarMode,
            Volumes = volumes,
            AppContainers = inputs.Spec.Injection.Containers,
            AppEnv = AppEnvironment.Build(inputs, versionSecret),
            AppMounts = mounts,
            GracePeriod = Duration.Parse(inputs.Spec.Rollout.DrainTimeout) + settings.AgentShutdownTimeout + settings.GracePeriodMargin,
        };
    }

    /// <summary>The contract as one JSON document (the form the version hashes).</summary>
    public JsonObject ToJson() => new()
    {
        ["sidecarMode"] = SidecarMode,
        ["sidecar"] = Sidecar.DeepClone(),
        ["volumes"] = new JsonArray([.. Volumes.Select(v => v.DeepClone())]),
        ["appContainers"] = new JsonArray([.. AppContainers.Select(c => (JsonNode?)c)]),
        ["appEnv"] = new JsonArray([.. AppEnv.Select(e => e.Var.DeepClone())]),
        ["appMounts"] = new JsonArray([.. AppMounts.Select(m => m.DeepClone())]),
        ["gracePeriodSeconds"] = (long)Math.Ceiling(GracePeriod.TotalSeconds),
    };
}
