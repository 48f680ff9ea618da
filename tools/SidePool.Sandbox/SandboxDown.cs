using Microsoft.Extensions.Logging;
using SidePool.Sandbox.Podman;

namespace SidePool.Sandbox;

/// <summary><c>sidepool-sandbox down</c>: removes every podman pod and container a sandbox with this state directory left (e.g. after a crash).</summary>
internal static class SandboxDown
{
    public static async Task<int> RunAsync(string stateDirectory, string containersConf, ILogger logger)
    {
        var removed = await PodmanCleanup.RemoveAsync(new PodmanCli(containersConf), stateDirectory, CancellationToken.None);
        var pods = Path.Combine(stateDirectory, "pods");
        if (Directory.Exists(pods))
        {
            Directory.Delete(pods, recursive: true);
        }

        logger.LogInformation("down: removed {Count} podman pod(s) and container(s) of {StateDirectory}", removed, stateDirectory);
        return 0;
    }
}
