using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>
/// Restarts (crash back-off, a failing liveness probe), exec probes and the waiting reasons of containers that cannot
/// start (a missing image, a missing Secret), as the kubelet reports them. The fixture's back-off: 1 s doubling to 4 s.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ContainerLifecycleTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task A_crashing_container_is_restarted_with_back_off_and_its_previous_log_is_kept()
    {
        var ns = await sandbox.NamespaceAsync("crash");
        await sandbox.ApplyAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: crasher, namespace: {{ns}}}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: c
                image: localhost/sidepool/forwarder:dev
                args: ["-d", "OPEN:/does/not/exist,rdonly", "STDOUT"]
            """);

        var restarted = await PodAssertions.WaitAsync(sandbox, ns, "crasher", p => p?.Status?.ContainerStatuses?.SingleOrDefault()?.RestartCount >= 2, "two restarts", 30);
        var backingOff = await PodAssertions.WaitAsync(sandbox, ns, "crasher", p => p?.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason == "CrashLoopBackOff", "CrashLoopBackOff", 30);
        var previous = await Tools.KubectlAsync(sandbox.Kubeconfig, "-n", ns, "logs", "crasher", "--previous");

        var status = restarted!.Status!.ContainerStatuses![0];
        Assert.Equal(1, status.LastState!.Terminated!.ExitCode);
        Assert.Equal("Error", status.LastState.Terminated.Reason);
        Assert.False(backingOff!.Status!.ContainerStatuses![0].Ready);
        Assert.Equal("Running", backingOff.Status.Phase);
        Assert.Equal(1, backingOff.Status.ContainerStatuses[0].LastState!.Terminated!.ExitCode);
        Assert.Matches(@"^back-off \d+s restarting failed container=c pod=crasher_crash\(", backingOff.Status.ContainerStatuses![0].State!.Waiting!.Message);
        Assert.Equal(0, previous.ExitCode);
        Assert.Contains("No such file or directory", previous.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_liveness_probe_restarts_the_container_and_an_exec_readiness_probe_makes_it_ready()
    {
        var ns = await sandbox.NamespaceAsync("liveness");
        await sandbox.ApplyAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: live, namespace: {{ns}}}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: c
                image: localhost/sidepool/forwarder:dev
                args: ["TCP-LISTEN:8080,fork,reuseaddr", "OPEN:/dev/null"]
                readinessProbe: {exec: {command: ["socat", "-V"]}, periodSeconds: 1}
                livenessProbe: {tcpSocket: {port: 8081}, initialDelaySeconds: 8, periodSeconds: 1, failureThreshold: 2}
            """);

        // The liveness probe waits 8 s before its first check: an exec probe is a podman exec, which took more than the
        // 2 s the container used to live on a loaded machine (CI: restarted 3 times, never ready).
        var ready = await PodAssertions.WaitAsync(sandbox, ns, "live", p => p?.Status?.ContainerStatuses?.SingleOrDefault()?.Ready == true, "ready through the exec probe", 30);
        var restarted = await PodAssertions.WaitAsync(sandbox, ns, "live", p => p?.Status?.ContainerStatuses?.SingleOrDefault()?.RestartCount >= 1, "restarted by the liveness probe", 60);

        Assert.Equal(0, ready!.Status!.ContainerStatuses![0].RestartCount);
        Assert.NotNull(restarted!.Status!.ContainerStatuses![0].LastState?.Terminated);
        Assert.Contains("failed liveness probe", sandbox.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_image_and_a_missing_Secret_keep_containers_waiting_with_the_kubelets_reasons_until_the_Secret_exists()
    {
        var ns = await sandbox.NamespaceAsync("waiting");
        await sandbox.ApplyAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: noimage, namespace: {{ns}}}
            spec:
              containers:
              - {name: c, image: "localhost/sidepool/does-not-exist:dev"}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: nosecret, namespace: {{ns}}}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: c
                image: localhost/sidepool/forwarder:dev
                args: ["TCP-LISTEN:8080,fork,reuseaddr", "OPEN:/dev/null"]
                env: [{name: PASSWORD, valueFrom: {secretKeyRef: {name: later, key: password} } }]
            """);

        var noImage = await PodAssertions.WaitAsync(sandbox, ns, "noimage", p => p?.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason == "ErrImagePull", "ErrImagePull", 30);
        var noSecret = await PodAssertions.WaitAsync(sandbox, ns, "nosecret", p => p?.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Waiting?.Reason == "CreateContainerConfigError", "CreateContainerConfigError", 30);
        await sandbox.ApplyAsync($$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: later, namespace: {{ns}}}
            stringData: {password: s3cret}
            """);
        var running = await PodAssertions.WaitAsync(sandbox, ns, "nosecret", p => p?.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Running is not null, "running once the Secret exists", 30);

        Assert.Equal("Pending", noImage!.Status!.Phase);
        Assert.Contains("does-not-exist", noImage.Status.ContainerStatuses![0].State!.Waiting!.Message, StringComparison.Ordinal);
        Assert.Equal("secret \"later\" not found", noSecret!.Status!.ContainerStatuses![0].State!.Waiting!.Message);
        Assert.Equal("Running", running!.Status!.Phase);
    }
}
