using System.Globalization;
using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>The sidecar container of one pool, as pod JSON (pure).</summary>
internal static class SidecarContainer
{
    public const string ReadinessPath = "/readyz";
    public const string LivenessPath = "/healthz";
    public const string StartupPath = "/startupz";

    public static JsonObject Build(ContractInputs inputs, InjectionOptions settings, int agentPort)
    {
        var native = inputs.SidecarMode == SidecarModes.Native;
        var layout = inputs.Layout;
        var sidecar = inputs.Spec.Sidecar;
        var container = new JsonObject
        {
            ["name"] = VersionContract.Sidecar.Container(inputs.PoolName),
            ["image"] = inputs.Image,
            ["imagePullPolicy"] = "IfNotPresent",
            ["args"] = new JsonArray(
                "--config-dir", layout.ConfigDirectory,
                "--runtime-dir", layout.RuntimeDirectory,
                "--drain-mode", native ? SidecarModes.Native : SidecarModes.Classic,
                "--drain-timeout", AgentDuration(Duration.Parse(inputs.Spec.Rollout.DrainTimeout)),
                "--shutdown-timeout", AgentDuration(settings.AgentShutdownTimeout),
                "--readiness", sidecar.Readiness,
                "--http-port", agentPort.ToString(CultureInfo.InvariantCulture)),
        };
        if (native)
        {
            container["restartPolicy"] = "Always";
        }

        container["ports"] = new JsonArray(new JsonObject { ["containerPort"] = agentPort, ["protocol"] = "TCP" });
        // With a read-only root file system the .NET runtime must not try to create its diagnostics socket in /tmp.
        container["env"] = new JsonArray(new JsonObject { ["name"] = "DOTNET_EnableDiagnostics", ["value"] = "0" });
        // Startup: PgBouncer accepts connections (never the database: native sidecars gate the app's start on it).
        container["startupProbe"] = Probe(StartupPath, agentPort, periodSeconds: 1, failureThreshold: 60);
        container["readinessProbe"] = Probe(ReadinessPath, agentPort, periodSeconds: 5, failureThreshold: 2);
        container["livenessProbe"] = Probe(LivenessPath, agentPort, periodSeconds: 10, failureThreshold: 3);
        var resources = Resources(sidecar.Resources);
        if (resources is not null)
        {
            container["resources"] = resources;
        }

        container["securityContext"] = new JsonObject
        {
            ["runAsNonRoot"] = true,
            ["runAsUser"] = settings.SidecarUserId,
            ["runAsGroup"] = settings.SidecarUserId,
            ["readOnlyRootFilesystem"] = true,
            ["allowPrivilegeEscalation"] = false,
            ["capabilities"] = new JsonObject { ["drop"] = new JsonArray("ALL") },
            ["seccompProfile"] = new JsonObject { ["type"] = "RuntimeDefault" },
        };
        container["volumeMounts"] = new JsonArray(
            new JsonObject { ["name"] = VersionContract.Sidecar.ConfigVolume(inputs.PoolName), ["mountPath"] = layout.ConfigDirectory, ["readOnly"] = true },
            new JsonObject { ["name"] = VersionContract.Sidecar.SocketVolume(inputs.PoolName), ["mountPath"] = layout.SocketDirectory },
            new JsonObject { ["name"] = VersionContract.Sidecar.StateVolume(inputs.PoolName), ["mountPath"] = layout.RuntimeDirectory });
        return container;
    }

    /// <summary>The agent's duration flag: whole seconds as <c>300s</c>, otherwise milliseconds.</summary>
    public static string AgentDuration(TimeSpan value)
    {
        var milliseconds = (long)Math.Ceiling(value.TotalMilliseconds);
        return milliseconds % 1000 == 0
            ? (milliseconds / 1000).ToString(CultureInfo.InvariantCulture) + "s"
            : milliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    private static JsonObject Probe(string path, int port, int periodSeconds, int failureThreshold) => new()
    {
        ["httpGet"] = new JsonObject { ["path"] = path, ["port"] = port },
        ["periodSeconds"] = periodSeconds,
        ["timeoutSeconds"] = 5,
        ["failureThreshold"] = failureThreshold,
    };

    private static JsonObject? Resources(ResourceRequirements resources)
    {
        var result = new JsonObject();
        foreach (var (kind, map) in new[] { ("requests", resources.Requests), ("limits", resources.Limits) })
        {
            if (map is { Count: > 0 })
            {
                var quantities = new JsonObject();
                foreach (var (name, quantity) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    quantities[name] = quantity;
                }

                result[kind] = quantities;
            }
        }

        return result.Count > 0 ? result : null;
    }
}
