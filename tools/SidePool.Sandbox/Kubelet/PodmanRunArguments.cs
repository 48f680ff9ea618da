using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SidePool.Sandbox.Podman;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// The <c>podman run</c> arguments for one container of a pod (pure): labels, env, volume mounts, the security context
/// (<c>runAsUser</c>/<c>runAsGroup</c> → <c>--user</c>, <c>readOnlyRootFilesystem</c> → <c>--read-only</c> without podman's
/// extra tmpfs mounts, capabilities, <c>allowPrivilegeEscalation: false</c> → no-new-privileges, <c>privileged</c>), and
/// <c>command</c>/<c>args</c> as Kubernetes means them (command replaces the image's ENTRYPOINT and, like Docker's
/// <c>--entrypoint</c>, drops its CMD; args replace CMD). Images are local only: <c>--pull never</c>. The pod's
/// kubelet-managed hosts file is mounted at /etc/hosts (podman ignores <c>--add-host</c> for a pod with <c>--network none</c>).
/// </summary>
internal static class PodmanRunArguments
{
    public static List<string> Build(
        string podmanPod,
        string podmanName,
        Container container,
        PodSpec podSpec,
        IReadOnlyList<KeyValuePair<string, string>> environment,
        IReadOnlyDictionary<string, MountSource> volumes,
        IReadOnlyDictionary<string, string> labels,
        string? hostsFile = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(podSpec);
        var args = new List<string> { "run", "--detach", "--pod", podmanPod, "--name", podmanName, "--pull", "never", "--log-driver", "k8s-file", "--stop-signal", "SIGTERM" };
        foreach (var (key, value) in labels)
        {
            args.Add("--label");
            args.Add($"{key}={value}");
        }

        foreach (var (name, value) in environment)
        {
            args.Add("--env");
            args.Add($"{name}={value}");
        }

        if (hostsFile is not null)
        {
            args.Add("--volume");
            args.Add($"{hostsFile}:/etc/hosts:ro");
        }

        foreach (var mount in container.VolumeMounts ?? [])
        {
            if (!volumes.TryGetValue(mount.Name, out var source))
            {
                throw new ContainerConfigException($"volume \"{mount.Name}\" is not defined in the pod");
            }

            var hostPath = mount.SubPath is { Length: > 0 } sub ? Path.Combine(source.HostPath, sub) : source.HostPath;
            var readOnly = mount.ReadOnlyProperty == true || source.AlwaysReadOnly;
            args.Add("--volume");
            args.Add($"{hostPath}:{mount.MountPath}:{(readOnly ? "ro" : "rw")}");
        }

        var security = container.SecurityContext;
        var user = security?.RunAsUser ?? podSpec.SecurityContext?.RunAsUser;
        var group = security?.RunAsGroup ?? podSpec.SecurityContext?.RunAsGroup;
        if (user is { } uid)
        {
            args.Add("--user");
            args.Add(group is { } gid ? string.Create(CultureInfo.InvariantCulture, $"{uid}:{gid}") : uid.ToString(CultureInfo.InvariantCulture));
        }

        if ((security?.RunAsNonRoot ?? podSpec.SecurityContext?.RunAsNonRoot) == true && user == 0)
        {
            throw new ContainerConfigException("container's runAsUser breaks non-root policy");
        }

        if (security?.ReadOnlyRootFilesystem == true)
        {
            args.Add("--read-only");
            args.Add("--read-only-tmpfs=false");
        }

        if (security?.Privileged == true)
        {
            args.Add("--privileged");
        }

        foreach (var capability in security?.Capabilities?.Drop ?? [])
        {
            args.Add("--cap-drop");
            args.Add(capability);
        }

        foreach (var capability in security?.Capabilities?.Add ?? [])
        {
            args.Add("--cap-add");
            args.Add(capability);
        }

        if (security?.AllowPrivilegeEscalation == false)
        {
            args.Add("--security-opt");
            args.Add("no-new-privileges");
        }

        if (container.WorkingDir is { Length: > 0 } workingDir)
        {
            args.Add("--workdir");
            args.Add(workingDir);
        }

        var command = EnvironmentBuilder.ExpandArguments(container.Command, environment);
        if (command.Count > 0)
        {
            args.Add("--entrypoint");
            args.Add(new JsonArray(command.Select(c => (JsonNode?)c).ToArray()).ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        }

        args.Add(container.Image ?? throw new ContainerConfigException($"container {container.Name} has no image"));
        args.AddRange(EnvironmentBuilder.ExpandArguments(container.Args, environment));
        return args;
    }
}
