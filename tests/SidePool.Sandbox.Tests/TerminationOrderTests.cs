using System.Diagnostics;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>
/// Native sidecars start in order, each once its startup probe passed, before the app; on deletion the app's preStop
/// hook runs, the app gets SIGTERM, and only after it exited the sidecars get theirs, in reverse order; the grace period
/// bounds it all.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class TerminationOrderTests(SandboxFixture sandbox)
{
    private static string Manifest(string ns, int grace, int preStopSeconds) => $$"""
        apiVersion: v1
        kind: Pod
        metadata: {name: ordered, namespace: {{ns}}}
        spec:
          terminationGracePeriodSeconds: {{grace}}
          initContainers:
          - name: first
            image: localhost/sidepool/forwarder:dev
            restartPolicy: Always
            args: ["TCP-LISTEN:9001,fork,reuseaddr", "OPEN:/dev/null"]
            startupProbe: {tcpSocket: {port: 9001}, periodSeconds: 1}
          - name: second
            image: localhost/sidepool/forwarder:dev
            restartPolicy: Always
            args: ["TCP-LISTEN:9002,fork,reuseaddr", "OPEN:/dev/null"]
            startupProbe: {tcpSocket: {port: 9002}, periodSeconds: 1}
          containers:
          - name: app
            image: localhost/sidepool/forwarder:dev
            args: ["TCP-LISTEN:8080,fork,reuseaddr", "OPEN:/dev/null"]
            lifecycle: {preStop: {sleep: {seconds: {{preStopSeconds}}} } }
        """;

    [Fact]
    public async Task Sidecars_start_in_order_and_stop_in_reverse_after_the_app_and_its_preStop_hook()
    {
        var ns = await sandbox.NamespaceAsync("order");
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await sandbox.ApplyAsync(Manifest(ns, grace: 20, preStopSeconds: 2));
        await PodAssertions.WaitAsync(sandbox, ns, "ordered", p => p is not null && PodAssertions.Ready(p), "Ready");

        var clock = Stopwatch.StartNew();
        var delete = await Tools.KubectlAsync(sandbox.Kubeconfig, "-n", ns, "delete", "pod", "ordered", "--wait=false");
        await PodAssertions.WaitAsync(sandbox, ns, "ordered", p => p is null, "deleted by the kubelet");
        var took = clock.Elapsed;
        var deleteSent = DateTimeOffset.UtcNow - took;
        var starts = await PodAssertions.EventsAsync(ns, "ordered", "start", since);
        var deaths = await PodAssertions.EventsAsync(ns, "ordered", "died", since, expected: 4);

        Assert.Equal(0, delete.ExitCode);
        Assert.Equal(["first", "second", "app"], starts.Select(s => s.Container).Where(c => c != "sandbox-postgres-forwarder").ToArray());
        Assert.Equal(["app", "second", "first", "sandbox-postgres-forwarder"], deaths.Select(d => d.Container).ToArray());
        Assert.True(deaths[0].At - deleteSent >= TimeSpan.FromSeconds(1.8), $"the app died {deaths[0].At - deleteSent} after the deletion: before its 2 s preStop hook ended");
        Assert.True(took < TimeSpan.FromSeconds(15), $"termination took {took}");
    }

    [Fact]
    public async Task The_grace_period_bounds_a_preStop_hook_that_would_run_longer()
    {
        var ns = await sandbox.NamespaceAsync("grace");
        await sandbox.ApplyAsync(Manifest(ns, grace: 3, preStopSeconds: 60));
        await PodAssertions.WaitAsync(sandbox, ns, "ordered", p => p is not null && PodAssertions.Ready(p), "Ready");

        var clock = Stopwatch.StartNew();
        await Tools.KubectlAsync(sandbox.Kubeconfig, "-n", ns, "delete", "pod", "ordered", "--wait=false");
        await PodAssertions.WaitAsync(sandbox, ns, "ordered", p => p is null, "deleted by the kubelet");

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(10));
    }
}
