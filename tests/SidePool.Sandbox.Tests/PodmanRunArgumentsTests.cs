using SidePool.Sandbox.Kubelet;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>The container spec as podman run arguments: security context, mounts, command and args.</summary>
public sealed class PodmanRunArgumentsTests
{
    [Fact]
    public void The_security_context_mounts_and_command_map_to_podman_options()
    {
        var container = new Container
        {
            Name = "app",
            Image = "localhost/x:dev",
            Command = ["/bin/app", "--name=$(NAME)"],
            Args = ["$(NAME)"],
            VolumeMounts = [new VolumeMount { Name = "cfg", MountPath = "/etc/cfg" }, new VolumeMount { Name = "tmp", MountPath = "/tmp", ReadOnlyProperty = false }],
            SecurityContext = new SecurityContext
            {
                RunAsUser = 65532,
                ReadOnlyRootFilesystem = true,
                AllowPrivilegeEscalation = false,
                Capabilities = new Capabilities { Drop = ["ALL"], Add = ["NET_BIND_SERVICE"] },
            },
        };
        var spec = new PodSpec { Containers = [container], SecurityContext = new PodSecurityContext { RunAsGroup = 65533 } };
        var volumes = new Dictionary<string, MountSource> { ["cfg"] = new("/s/cfg", AlwaysReadOnly: true), ["tmp"] = new("/s/tmp", AlwaysReadOnly: false) };

        var args = PodmanRunArguments.Build("p", "p-app", container, spec, [KeyValuePair.Create("NAME", "n")], volumes, new Dictionary<string, string> { ["l"] = "v" });

        var text = string.Join(' ', args);
        Assert.Contains("--pod p --name p-app --pull never", text, StringComparison.Ordinal);
        Assert.Contains("--label l=v --env NAME=n", text, StringComparison.Ordinal);
        Assert.Contains("--volume /s/cfg:/etc/cfg:ro --volume /s/tmp:/tmp:rw", text, StringComparison.Ordinal);
        Assert.Contains("--user 65532:65533 --read-only --read-only-tmpfs=false --cap-drop ALL --cap-add NET_BIND_SERVICE --security-opt no-new-privileges", text, StringComparison.Ordinal);
        Assert.EndsWith("--entrypoint [\"/bin/app\",\"--name=n\"] localhost/x:dev n", text, StringComparison.Ordinal);
        Assert.Throws<ContainerConfigException>(() => PodmanRunArguments.Build("p", "p-app", container with { VolumeMounts = [new VolumeMount { Name = "nope", MountPath = "/x" }] }, spec, [], volumes, new Dictionary<string, string>()));
    }
}
