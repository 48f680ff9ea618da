using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>A process that does not exit on SIGTERM within the grace period gets SIGKILL at its end.</summary>
[Collection(SandboxCollection.Name)]
public sealed class SigkillTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task A_container_still_running_when_the_grace_period_ends_is_killed()
    {
        // The load generator finishes its running logins before it exits on SIGTERM; its login hangs (the "server"
        // never answers, connect_timeout 60 s), so only SIGKILL at the end of the 2 s grace period stops it.
        var ns = await sandbox.NamespaceAsync("sigkill");
        await sandbox.ApplyAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: stuck, namespace: {{ns}}}
            spec:
              terminationGracePeriodSeconds: 2
              initContainers:
              - name: silent-server
                image: localhost/sidepool/forwarder:dev
                restartPolicy: Always
                args: ["-u", "TCP-LISTEN:7000,fork,reuseaddr", "OPEN:/dev/null"]
                startupProbe: {tcpSocket: {port: 7000}, periodSeconds: 1}
              containers:
              - name: app
                image: localhost/sidepool/loadgen:dev
                env:
                - {name: DATABASE_URL, value: "postgresql://u:p@127.0.0.1:7000/db?connect_timeout=60"}
                - {name: WORKERS, value: "1"}
            """);
        await PodAssertions.WaitAsync(sandbox, ns, "stuck", p => p is not null && PodAssertions.Ready(p), "Ready");
        var lines = new ConcurrentQueue<string>();
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--kubeconfig", sandbox.Kubeconfig, "-n", ns, "logs", "-f", "stuck", "-c", "app" })
        {
            info.ArgumentList.Add(argument);
        }

        using var follower = Process.Start(info)!;
        follower.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
            }
        };
        follower.BeginOutputReadLine();
        await Tools.EventuallyAsync(() => Task.FromResult(lines.ToArray()), l => l.Any(x => x.Contains("\"kind\":\"start\"", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), _ => Task.FromResult(string.Join('\n', lines)));
        await Task.Delay(TimeSpan.FromSeconds(1)); // the worker is inside its login now

        var clock = Stopwatch.StartNew();
        await Tools.KubectlAsync(sandbox.Kubeconfig, "-n", ns, "delete", "pod", "stuck", "--wait=false");
        await PodAssertions.WaitAsync(sandbox, ns, "stuck", p => p is null, "deleted by the kubelet");
        var took = clock.Elapsed;
        await Task.WhenAny(follower.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(5)));

        Assert.InRange(took, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(15));
        Assert.DoesNotContain(lines, l => l.Contains("\"kind\":\"final\"", StringComparison.Ordinal)); // killed, not finished
    }
}
