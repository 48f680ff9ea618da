using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>
/// preStop hooks run on deletion: the app's httpGet hook and the sidecar's exec hook both reach the sidecar, which prints
/// what it receives; its log is followed (<c>kubectl logs -f</c>) through the termination.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class PreStopHookTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task An_httpGet_and_an_exec_preStop_hook_run_inside_the_pod_before_its_containers_stop()
    {
        var ns = await sandbox.NamespaceAsync("prestop");
        await sandbox.ApplyAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: hooked, namespace: {{ns}}}
            spec:
              terminationGracePeriodSeconds: 10
              initContainers:
              - name: recorder
                image: localhost/sidepool/forwarder:dev
                restartPolicy: Always
                args: ["-u", "TCP-LISTEN:9001,fork,reuseaddr", "STDOUT"]
                startupProbe: {tcpSocket: {port: 9001}, periodSeconds: 1}
                lifecycle: {preStop: {exec: {command: ["socat", "-u", "OPEN:/etc/hostname,rdonly", "TCP:127.0.0.1:9001"]} } }
              containers:
              - name: app
                image: localhost/sidepool/forwarder:dev
                args: ["TCP-LISTEN:8080,fork,reuseaddr", "OPEN:/dev/null"]
                lifecycle: {preStop: {httpGet: {path: /prestop-hook, port: 9001} } }
            """);
        await PodAssertions.WaitAsync(sandbox, ns, "hooked", p => p is not null && PodAssertions.Ready(p), "Ready");
        var lines = new ConcurrentQueue<string>();
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--kubeconfig", sandbox.Kubeconfig, "-n", ns, "logs", "-f", "hooked", "-c", "recorder" })
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
        await Task.Delay(TimeSpan.FromSeconds(1));

        var delete = await Tools.KubectlAsync(sandbox.Kubeconfig, "-n", ns, "delete", "pod", "hooked", "--wait=false");
        await PodAssertions.WaitAsync(sandbox, ns, "hooked", p => p is null, "deleted by the kubelet");
        await Task.WhenAny(follower.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(10)));

        Assert.Equal(0, delete.ExitCode);
        Assert.Contains(lines, l => l.StartsWith("GET /prestop-hook HTTP/1.1", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Trim() == "hooked"); // /etc/hostname: the pod's name
        Assert.Contains(lines, l => l.StartsWith("User-Agent: kube-lifecycle/", StringComparison.Ordinal));
    }
}
