namespace SidePool.Sandbox.Podman;

/// <summary>Removes every podman pod and container labelled with a state directory (what <c>down</c> does, and <c>up</c> before it starts).</summary>
internal static class PodmanCleanup
{
    public static async Task<int> RemoveAsync(PodmanCli podman, string stateDirectory, CancellationToken cancellationToken)
    {
        var filter = SandboxLabels.Filter(SandboxLabels.StateDirectory, stateDirectory);
        var pods = (await podman.RunAsync(["pod", "ps", "--quiet", "--filter", filter], cancellationToken)).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var containers = (await podman.RunAsync(["ps", "--all", "--quiet", "--filter", filter], cancellationToken)).StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (pods.Length > 0)
        {
            await podman.RunAsync(["pod", "rm", "--force", "--ignore", .. pods], cancellationToken);
        }

        if (containers.Length > 0)
        {
            await podman.RunAsync(["rm", "--force", "--ignore", .. containers], cancellationToken);
        }

        return pods.Length + containers.Length;
    }
}
