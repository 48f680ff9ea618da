using System.Text.Json.Nodes;

namespace SidePool.Images.Tests;

/// <summary>
/// A container of a pod spec (as the webhook's patch leaves it) turned into <c>podman run</c> options, the way a
/// kubelet would run it: <c>args</c>, <c>env</c> (values, and <c>secretKeyRef</c> from the given Secrets),
/// <c>securityContext</c> (user and group, read-only root without podman's extra tmpfs mounts, dropped capabilities,
/// no privilege escalation) and <c>volumeMounts</c> (a <c>secret</c> volume from a directory laid out like the
/// kubelet's Secret volume, an <c>emptyDir</c> from a directory shared by the pod's containers). Anything else the
/// container asks for fails the test, so a change to the contract is noticed here.
/// </summary>
internal static class PodSpecContainer
{
    private static readonly HashSet<string> Understood = new(StringComparer.Ordinal)
    {
        "name", "image", "imagePullPolicy", "args", "env", "securityContext", "volumeMounts", "ports", "restartPolicy",
        "startupProbe", "readinessProbe", "livenessProbe", "resources",
    };

    public static (string Image, IReadOnlyList<string> Options, IReadOnlyList<string> Arguments) ToPodman(
        JsonObject container,
        JsonArray volumes,
        Func<string, string> secretDirectory,
        Func<string, string, string> secretValue,
        Func<string, string> emptyDirDirectory)
    {
        var unknown = container.Select(p => p.Key).Where(k => !Understood.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new NotSupportedException($"container {container["name"]}: fields this test does not run: {string.Join(", ", unknown)}");
        }

        var options = new List<string>();
        foreach (var variable in container["env"]?.AsArray() ?? [])
        {
            var name = variable!["name"]!.GetValue<string>();
            var value = variable["value"]?.GetValue<string>()
                ?? (variable["valueFrom"]?["secretKeyRef"] is JsonObject reference
                    ? secretValue(reference["name"]!.GetValue<string>(), reference["key"]!.GetValue<string>())
                    : throw new NotSupportedException($"env {name}: only value and secretKeyRef"));
            options.AddRange(["--env", $"{name}={value}"]);
        }

        if (container["securityContext"] is JsonObject security)
        {
            var user = security["runAsUser"]?.GetValue<long>();
            var group = security["runAsGroup"]?.GetValue<long>();
            if (user is not null)
            {
                options.AddRange(["--user", group is null ? $"{user}" : $"{user}:{group}"]);
            }

            if (security["readOnlyRootFilesystem"]?.GetValue<bool>() == true)
            {
                // Kubernetes adds no tmpfs to a read-only root; podman would add /tmp, /var/tmp and /run.
                options.AddRange(["--read-only", "--read-only-tmpfs=false"]);
            }

            if (security["allowPrivilegeEscalation"]?.GetValue<bool>() == false)
            {
                options.AddRange(["--security-opt", "no-new-privileges"]);
            }

            foreach (var capability in security["capabilities"]?["drop"]?.AsArray() ?? [])
            {
                options.AddRange(["--cap-drop", capability!.GetValue<string>()]);
            }

            if (security["seccompProfile"]?["type"]?.GetValue<string>() is { } seccomp && seccomp != "RuntimeDefault")
            {
                throw new NotSupportedException($"seccompProfile {seccomp}");
            }
        }

        foreach (var mount in container["volumeMounts"]?.AsArray() ?? [])
        {
            var volumeName = mount!["name"]!.GetValue<string>();
            var volume = volumes.Single(v => v!["name"]!.GetValue<string>() == volumeName)!;
            var directory = volume["secret"] is JsonObject secret ? secretDirectory(secret["secretName"]!.GetValue<string>())
                : volume["emptyDir"] is not null ? emptyDirDirectory(volumeName)
                : throw new NotSupportedException($"volume {volumeName}: only secret and emptyDir");
            var readOnly = mount["readOnly"]?.GetValue<bool>() == true;
            options.AddRange(["--volume", $"{directory}:{mount["mountPath"]!.GetValue<string>()}{(readOnly ? ":ro" : "")}"]);
        }

        var arguments = container["args"]?.AsArray().Select(a => a!.GetValue<string>()).ToList() ?? [];
        return (container["image"]!.GetValue<string>(), options, arguments);
    }
}
