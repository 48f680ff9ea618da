using System.Globalization;
using SidePool.Testing;
using Xunit;

namespace SidePool.Images.Tests;

/// <summary>
/// A podman pod with only a loopback network (<c>--network none</c>: nothing in it reaches anything outside), its
/// containers named <c>&lt;pod&gt;-&lt;name&gt;</c>, and the host's view into its network namespace
/// (<c>nsenter --net</c>) for curl and psql, since the images have no shell. Disposing removes the pod and its
/// containers.
/// </summary>
internal sealed class PodmanPod : IAsyncDisposable
{
    private string? _networkNamespace;

    private PodmanPod(string name) => Name = name;

    public string Name { get; }

    public static async Task<PodmanPod> CreateAsync()
    {
        var pod = new PodmanPod($"sidepool-test-{Guid.NewGuid():N}"[..26]);
        await Commands.PodmanCheckedAsync("pod", "create", "--name", pod.Name, "--network", "none");
        return pod;
    }

    public string ContainerName(string container) => $"{Name}-{container}";

    /// <summary><c>podman run -d --pod</c>: options go before the image, arguments after it.</summary>
    public Task StartAsync(string container, string image, IEnumerable<string> options, IEnumerable<string> arguments) =>
        Commands.PodmanCheckedAsync(["run", "-d", "--pod", Name, "--name", ContainerName(container), .. options, image, .. arguments]);

    /// <summary>Runs a host program inside the pod's network namespace (its loopback is the pod's).</summary>
    public async Task<ProgramResult> InNetworkAsync(string program, params string[] arguments)
    {
        _networkNamespace ??= await NetworkNamespaceAsync();
        return await Commands.RunAsync("nsenter", [$"--net={_networkNamespace}", program, .. arguments], TimeSpan.FromSeconds(30));
    }

    /// <summary>GET http://127.0.0.1:port/path in the pod: the status code (0 when nothing answered) and the body.</summary>
    public async Task<(int Status, string Body)> HttpGetAsync(int port, string path)
    {
        var result = await InNetworkAsync("curl", "-s", "--max-time", "5", "-w", "\n%{http_code}", $"http://127.0.0.1:{port}{path}");
        var split = result.Stdout.LastIndexOf('\n');
        return (int.Parse(result.Stdout[(split + 1)..].Trim(), CultureInfo.InvariantCulture), result.Stdout[..Math.Max(0, split)]);
    }

    public async Task<(bool Running, int ExitCode)> StateAsync(string container)
    {
        var state = await Commands.PodmanCheckedAsync("inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", ContainerName(container));
        var parts = state.Split(' ');
        return (parts[0] == "true", int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    /// <summary>What the container wrote to stdout and stderr.</summary>
    public async Task<string> LogsAsync(string container)
    {
        var result = await Commands.PodmanAsync("logs", ContainerName(container));
        return result.Stdout + result.Stderr;
    }

    /// <summary>SIGTERM, up to <paramref name="graceSeconds"/> before SIGKILL (as the kubelet does); returns the exit code.</summary>
    public async Task<int> StopAsync(string container, int graceSeconds)
    {
        await Commands.PodmanCheckedAsync("stop", "-t", graceSeconds.ToString(CultureInfo.InvariantCulture), ContainerName(container));
        var (running, exitCode) = await StateAsync(container);
        Assert.False(running, $"{container} still runs after podman stop");
        return exitCode;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="describe"/>'s text (e.g. the logs) when it does not in time.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {timeout}:\n{await describe()}");
            }

            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync() => await Commands.PodmanAsync("pod", "rm", "--force", "--time", "0", Name);

    private async Task<string> NetworkNamespaceAsync()
    {
        var infra = await Commands.PodmanCheckedAsync("pod", "inspect", "--format", "{{.InfraContainerID}}", Name);
        var pid = await Commands.PodmanCheckedAsync("inspect", "--format", "{{.State.Pid}}", infra);
        return $"/proc/{pid}/ns/net";
    }
}
