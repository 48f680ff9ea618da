using System.Text.Json.Nodes;
using SidePool.Kubernetes.Client;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>
/// A container serving an HTTP response straight from a file of its Secret volume (socat in the forwarder image: no shell
/// needed): what it serves is what it reads, so readiness and Secret updates are seen from inside the container.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class ReadinessAndSecretVolumeTests(SandboxFixture sandbox)
{
    private const string NotReady = "HTTP/1.1 503 Service Unavailable\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n";
    private const string Ok = "HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n";

    private static string Manifest(string ns, string response) => $$"""
        apiVersion: v1
        kind: Secret
        metadata: {name: page, namespace: {{ns}}}
        stringData: {response: "{{response}}"}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: {{ns}}}
        spec:
          terminationGracePeriodSeconds: 5
          containers:
          - name: web
            image: localhost/sidepool/forwarder:dev
            args: ["-U", "TCP-LISTEN:8080,fork,reuseaddr", "OPEN:/page/response,rdonly"]
            readinessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 1, failureThreshold: 1}
            securityContext: {runAsUser: 65532, runAsGroup: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]} }
            volumeMounts: [{name: page, mountPath: /page}]
          volumes: [{name: page, secret: {secretName: page} }]
        """;

    private Task PatchAsync(string ns, string response) =>
        sandbox.Client.Resource(KubernetesResources.Secrets).PatchAsync("page", ns, KubernetesPatch.Merge(new JsonObject { ["stringData"] = new JsonObject { ["response"] = response.Replace("\\r\\n", "\r\n", StringComparison.Ordinal) } }));

    [Fact]
    public async Task A_readiness_probe_gates_the_Ready_condition_both_ways()
    {
        var ns = await sandbox.NamespaceAsync("readiness");
        await sandbox.ApplyAsync(Manifest(ns, NotReady));

        var running = await PodAssertions.WaitAsync(sandbox, ns, "web", p => p?.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Running is not null, "the container running");
        await Task.Delay(TimeSpan.FromSeconds(3)); // several failed probes
        var unready = await PodAssertions.GetAsync(sandbox.Client, ns, "web");
        await PatchAsync(ns, Ok);
        var ready = await PodAssertions.WaitAsync(sandbox, ns, "web", p => p is not null && PodAssertions.Ready(p), "Ready after the probe passes", 20);
        await PatchAsync(ns, NotReady);
        var again = await PodAssertions.WaitAsync(sandbox, ns, "web", p => p is not null && !PodAssertions.Ready(p), "not Ready after the probe fails again", 20);

        Assert.Equal("Running", running!.Status!.Phase);
        Assert.Equal("False", PodAssertions.Condition(unready!, "Ready")!.Status);
        Assert.Equal("ContainersNotReady", PodAssertions.Condition(unready!, "Ready")!.Reason);
        Assert.Equal("containers with unready status: [web]", PodAssertions.Condition(unready!, "ContainersReady")!.Message);
        Assert.False(unready!.Status!.ContainerStatuses![0].Ready);
        Assert.True(unready.Status.ContainerStatuses[0].Started);
        Assert.True(ready!.Status!.ContainerStatuses![0].Ready);
        Assert.Equal("True", PodAssertions.Condition(ready, "ContainersReady")!.Status);
        Assert.True(PodAssertions.Condition(ready, "Ready")!.LastTransitionTime > PodAssertions.Condition(unready, "Ready")!.LastTransitionTime);
        Assert.Equal(PodAssertions.Condition(ready, "PodScheduled")!.LastTransitionTime, PodAssertions.Condition(again!, "PodScheduled")!.LastTransitionTime);
        Assert.Equal(0, again!.Status!.ContainerStatuses![0].RestartCount);
    }

    [Fact]
    public async Task A_changed_Secret_swaps_data_atomically_and_the_container_reads_the_new_content_read_only()
    {
        var ns = await sandbox.NamespaceAsync("secret-swap");
        await sandbox.ApplyAsync(Manifest(ns, NotReady));
        var pod = await PodAssertions.WaitAsync(sandbox, ns, "web", p => p?.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Running is not null, "the container running");
        var container = $"k8s_{ns}_web_{pod!.Metadata!.Uid![..8]}-web";
        var volume = sandbox.State.PathOf($"pods/{pod.Metadata.Uid}/volumes/page");
        async Task<string> ReadInside() => (await Tools.PodmanAsync("exec", container, "socat", "-u", "OPEN:/page/response,rdonly", "STDOUT")).Stdout;

        var before = await ReadInside();
        var dataBefore = new FileInfo(Path.Combine(volume, "..data")).LinkTarget;
        await PatchAsync(ns, Ok);
        var after = await Tools.EventuallyAsync(ReadInside, s => s.StartsWith("HTTP/1.1 200", StringComparison.Ordinal), TimeSpan.FromSeconds(10), s => Task.FromResult($"the container still reads {s}"));
        var dataAfter = new FileInfo(Path.Combine(volume, "..data")).LinkTarget;
        var hosts = (await Tools.PodmanAsync("exec", container, "socat", "-u", "OPEN:/etc/hosts,rdonly", "STDOUT")).Stdout;
        var write = await Tools.PodmanAsync("exec", "--user", "0", container, "socat", "-u", "STDIN", "CREATE:/page/new");

        Assert.StartsWith("HTTP/1.1 503", before, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", after, StringComparison.Ordinal);
        Assert.NotEqual(dataBefore, dataAfter);
        Assert.False(Directory.Exists(Path.Combine(volume, dataBefore!)));
        Assert.Equal("..data/response", new FileInfo(Path.Combine(volume, "response")).LinkTarget);
        Assert.Contains("127.0.0.1\tpostgres.sandbox.svc\n", hosts, StringComparison.Ordinal);
        Assert.NotEqual(0, write.ExitCode);
        Assert.Contains("Read-only file system", write.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_ConfigMap_reaches_its_volume_with_the_items_path()
    {
        var ns = await sandbox.NamespaceAsync("configmap");
        await sandbox.ApplyAsync($$"""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: {{ns}}}
            data: {level: one}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: reader, namespace: {{ns}}}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: c
                image: localhost/sidepool/forwarder:dev
                args: ["TCP-LISTEN:8080,fork,reuseaddr", "OPEN:/dev/null"]
                volumeMounts: [{name: settings, mountPath: /etc/app}]
              volumes: [{name: settings, configMap: {name: settings, items: [{key: level, path: conf/level.txt}]} }]
            """);
        var pod = await PodAssertions.WaitAsync(sandbox, ns, "reader", p => p?.Status?.ContainerStatuses?.SingleOrDefault()?.State?.Running is not null, "the container running");
        var container = $"k8s_{ns}_reader_{pod!.Metadata!.Uid![..8]}-c";
        async Task<string> ReadInside() => (await Tools.PodmanAsync("exec", container, "socat", "-u", "OPEN:/etc/app/conf/level.txt,rdonly", "STDOUT")).Stdout;

        var before = await ReadInside();
        var patched = await Tools.KubectlAsync(sandbox.Kubeconfig, "-n", ns, "patch", "configmap", "settings", "--type", "merge", "-p", "{\"data\":{\"level\":\"two\"}}");
        var after = await Tools.EventuallyAsync(ReadInside, s => s == "two", TimeSpan.FromSeconds(10), s => Task.FromResult($"the container still reads {s}"));

        Assert.Equal("one", before);
        Assert.True(patched.ExitCode == 0, patched.Stderr);
        Assert.Equal("two", after);
    }
}
