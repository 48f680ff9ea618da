using System.Text.RegularExpressions;
using SidePool.Testing;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary><c>sidepool-sandbox up</c> and <c>down</c> as processes, driven with kubectl.</summary>
public sealed partial class CliTests
{
    private const string Pod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: p, labels: {app: p}}
        spec:
          terminationGracePeriodSeconds: 5
          containers:
          - name: c
            image: localhost/sidepool/forwarder:dev
            args: ["TCP-LISTEN:8080,fork,reuseaddr", "OPEN:/dev/null"]
        """;

    [Fact]
    public async Task Up_serves_kubectl_and_exits_0_on_SIGTERM_with_its_pods_gone_and_down_cleans_up_after_a_crash()
    {
        Assert.True(ServiceUser.IsRoot, "rootful podman: run as root");
        using var state = new TestDirectory("sandbox-cli");
        var filter = $"label=sandbox.sidepool.dev/state-dir={state.FullPath}";
        var manifest = state.WriteFile("pod.yaml", Pod);
        try
        {
            await RunAsync(state, filter, manifest);
        }
        finally
        {
            await Tools.RunAsync(Binaries.Sandbox, ["down", "--state-dir", state.FullPath]); // whatever a failed assertion left
        }
    }

    [Fact]
    public async Task Up_stops_with_its_pods_once_the_process_that_started_it_is_gone()
    {
        // A test host that ends before it could signal the sandbox orphans it, and it must then stop by itself (a failed
        // E2E run left one restarting pods for minutes). Here a shell starts it in the background and is killed once a
        // pod runs: the sandbox gets no signal, only a new parent.
        Assert.True(ServiceUser.IsRoot, "rootful podman: run as root");
        using var state = new TestDirectory("sandbox-orphan");
        var filter = $"label=sandbox.sidepool.dev/state-dir={state.FullPath}";
        var manifest = state.WriteFile("pod.yaml", Pod);
        var log = state.PathOf("up.log");
        var pid = 0;
        try
        {
            await using (var shell = ManagedProcess.Start("bash", ["-c", $"'{Binaries.Sandbox}' up --state-dir '{state.FullPath}' --pod-subnet 127.12.0.0/16 > '{log}' 2>&1 & echo $!; wait"], asServiceUser: false))
            {
                pid = int.Parse(await shell.WaitForLineAsync(l => l.Length > 0, TimeSpan.FromSeconds(10)), System.Globalization.CultureInfo.InvariantCulture);
                var ready = await Tools.EventuallyAsync(
                    () => Task.FromResult(File.Exists(log) ? File.ReadAllText(log) : ""),
                    text => ReadyLine().IsMatch(text.Split('\n').FirstOrDefault(l => l.StartsWith("ready ", StringComparison.Ordinal)) ?? ""),
                    TimeSpan.FromSeconds(60),
                    text => Task.FromResult($"no ready line:\n{text}"));
                var kubeconfig = ReadyLine().Match(ready.Split('\n').First(l => l.StartsWith("ready ", StringComparison.Ordinal))).Groups[1].Value;
                Assert.Equal(0, (await Tools.KubectlAsync(kubeconfig, "apply", "-f", manifest)).ExitCode);
                await Tools.EventuallyAsync(
                    () => Tools.KubectlAsync(kubeconfig, "get", "pods", "--no-headers"),
                    r => r.Stdout.Contains("Running", StringComparison.Ordinal),
                    TimeSpan.FromSeconds(30),
                    r => Task.FromResult($"kubectl get pods: {r.Stdout}"));
                shell.Signal(PosixSignalNumber.Kill); // the starter is gone, the sandbox is reparented
                await shell.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }

            var gone = false;
            for (var i = 0; i < 600 && !gone; i++)
            {
                await Task.Delay(100);
                gone = !Directory.Exists($"/proc/{pid}");
            }

            var output = await File.ReadAllTextAsync(log);
            Assert.True(gone, $"the orphaned sandbox (pid {pid}) still runs 60 s after its starter was killed:\n{output}");
            Assert.Contains("the process that started the sandbox is gone", output, StringComparison.Ordinal);
            Assert.Empty((await Tools.PodmanAsync("ps", "--all", "--quiet", "--filter", filter)).Stdout.Trim());
        }
        finally
        {
            if (pid > 0 && Directory.Exists($"/proc/{pid}"))
            {
                await Tools.RunAsync("kill", ["-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            await Tools.RunAsync(Binaries.Sandbox, ["down", "--state-dir", state.FullPath]);
        }
    }

    private static async Task RunAsync(TestDirectory state, string filter, string manifest)
    {

        // A clean run: ready line, kubectl works, SIGTERM stops the pod and exits 0.
        await using (var up = ManagedProcess.Start(Binaries.Sandbox, ["up", "--state-dir", state.FullPath, "--node-name", "cli-node", "--pod-subnet", "127.12.0.0/16"], asServiceUser: false))
        {
            var ready = await up.WaitForLineAsync(l => l.StartsWith("ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            var match = ReadyLine().Match(ready);
            Assert.True(match.Success, ready);
            var kubeconfig = match.Groups[1].Value;
            Assert.Equal(state.PathOf("kubeconfig"), kubeconfig);
            var node = await Tools.KubectlAsync(kubeconfig, "get", "node", "cli-node", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}");
            Assert.Equal("True", node.Stdout);
            Assert.Equal(0, (await Tools.KubectlAsync(kubeconfig, "apply", "-f", manifest)).ExitCode);
            var pods = await Tools.EventuallyAsync(
                () => Tools.KubectlAsync(kubeconfig, "get", "pods", "--no-headers"),
                r => Regex.IsMatch(r.Stdout, @"^p\s+1/1\s+Running\s+0\s"),
                TimeSpan.FromSeconds(30),
                r => Task.FromResult($"kubectl get pods: {r.Stdout}{r.Stderr}\n{up.Output}"));
            Assert.Single((await Tools.PodmanAsync("pod", "ps", "--quiet", "--filter", filter)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            up.Signal(PosixSignalNumber.Term);
            Assert.True(await up.WaitForExitAsync(TimeSpan.FromSeconds(30)), up.Output);
            Assert.Equal(0, up.ExitCode);
            Assert.Single(up.Lines, l => l.StartsWith("ready ", StringComparison.Ordinal));
            Assert.Empty((await Tools.PodmanAsync("ps", "--all", "--quiet", "--filter", filter)).Stdout.Trim());
            Assert.Empty((await Tools.PodmanAsync("pod", "ps", "--quiet", "--filter", filter)).Stdout.Trim());
        }

        // A crash (SIGKILL) leaves the pod's podman objects; down removes them.
        await using (var up = ManagedProcess.Start(Binaries.Sandbox, ["up", "--state-dir", state.FullPath, "--pod-subnet", "127.12.0.0/16"], asServiceUser: false))
        {
            var kubeconfig = ReadyLine().Match(await up.WaitForLineAsync(l => l.StartsWith("ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(60))).Groups[1].Value;
            Assert.Equal(0, (await Tools.KubectlAsync(kubeconfig, "apply", "-f", manifest)).ExitCode);
            await Tools.EventuallyAsync(
                () => Tools.KubectlAsync(kubeconfig, "get", "pods", "--no-headers"),
                r => r.Stdout.Contains("Running", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30),
                r => Task.FromResult(r.Stdout + up.Output));
            up.Signal(PosixSignalNumber.Kill);
            await up.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        var left = (await Tools.PodmanAsync("ps", "--all", "--quiet", "--filter", filter)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var down = await Tools.RunAsync(Binaries.Sandbox, ["down", "--state-dir", state.FullPath]);

        Assert.Equal(2, left.Length); // the infra container and c
        Assert.Equal(0, down.ExitCode);
        Assert.Empty((await Tools.PodmanAsync("ps", "--all", "--quiet", "--filter", filter)).Stdout.Trim());
        Assert.Empty((await Tools.PodmanAsync("pod", "ps", "--quiet", "--filter", filter)).Stdout.Trim());
    }

    [GeneratedRegex(@"^ready kubeconfig=(\S+) server=https://127\.0\.0\.1:\d+ node=\S+$")]
    private static partial Regex ReadyLine();
}
