using System.Net;
using System.Net.Sockets;
using System.Text;
using SidePool.Kubernetes.Client;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>
/// Pod IPs: every pod has its own loopback address (127.1.0.0/16) and its declared TCP container ports are reachable there
/// from the host; each container serves a file of its ConfigMap (socat in the forwarder image), so an answer says which
/// pod and which container it came from.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class PodNetworkTests(SandboxFixture sandbox)
{
    private static string Pod(string ns, string name) => $$"""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: {{name}}, namespace: {{ns}}}
        data: {app: "app of {{name}}", sidecar: "sidecar of {{name}}", local: "loopback only"}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: {{name}}, namespace: {{ns}}}
        spec:
          terminationGracePeriodSeconds: 2
          initContainers:
          - name: sidecar
            image: localhost/sidepool/forwarder:dev
            restartPolicy: Always
            args: ["-U", "TCP-LISTEN:9090,fork,reuseaddr", "OPEN:/page/sidecar,rdonly"]
            ports: [{name: side, containerPort: 9090}]
            volumeMounts: [{name: page, mountPath: /page}]
          containers:
          - name: app
            image: localhost/sidepool/forwarder:dev
            args: ["-U", "TCP-LISTEN:8080,fork,reuseaddr", "OPEN:/page/app,rdonly"]
            ports: [{name: http, containerPort: 8080}]
            env: [{name: MY_IP, valueFrom: {fieldRef: {fieldPath: status.podIP} } }]
            volumeMounts: [{name: page, mountPath: /page}]
          - name: local
            image: localhost/sidepool/forwarder:dev
            args: ["-U", "TCP-LISTEN:7070,bind=127.0.0.1,fork,reuseaddr", "OPEN:/page/local,rdonly"]
            ports: [{containerPort: 7070}]
            volumeMounts: [{name: page, mountPath: /page}]
          volumes: [{name: page, configMap: {name: {{name}} } }]
        """;

    [Fact]
    public async Task Two_pods_with_the_same_ports_answer_each_at_its_own_IP_and_the_listener_goes_away_with_the_pod()
    {
        var ns = await sandbox.NamespaceAsync("pod-ips");
        await sandbox.ApplyAsync(Pod(ns, "a") + "\n---\n" + Pod(ns, "b"));
        var a = await PodAssertions.WaitAsync(sandbox, ns, "a", p => p is not null && PodAssertions.Ready(p), "pod a Ready");
        var b = await PodAssertions.WaitAsync(sandbox, ns, "b", p => p is not null && PodAssertions.Ready(p), "pod b Ready");
        var ipA = IPAddress.Parse(a!.Status!.PodIP!);
        var ipB = IPAddress.Parse(b!.Status!.PodIP!);

        var appA = await ReadAsync(ipA, 8080);
        var appB = await ReadAsync(ipB, 8080);
        var sidecarA = await ReadAsync(ipA, 9090);
        var loopbackOnly = await ReadAsync(ipA, 7070);
        var env = await Tools.PodmanAsync("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", $"k8s_{ns}_a_{a.Metadata!.Uid![..8]}-app");

        Assert.NotEqual(ipA, ipB);
        Assert.All(new[] { ipA, ipB }, ip => Assert.Equal([127, 1], ip.GetAddressBytes()[..2]));
        Assert.Equal(a.Status.PodIP, Assert.Single(a.Status.PodIPs!).Ip);
        Assert.Equal("127.0.0.1", a.Status.HostIP);
        Assert.Equal("app of a", appA);
        Assert.Equal("app of b", appB);
        Assert.Equal("sidecar of a", sidecarA);
        Assert.Equal(string.Empty, loopbackOnly); // bound to the pod's 127.0.0.1 only: not reachable from outside, as in a cluster
        Assert.Contains($"MY_IP={ipA}", env.Stdout.Split('\n'));

        await sandbox.Client.Resource(KubernetesResources.Pods).DeleteAsync("a", ns);
        await Tools.EventuallyAsync(() => PodAssertions.GetAsync(sandbox.Client, ns, "a"), p => p is null, TimeSpan.FromSeconds(30), _ => Task.FromResult("pod a deleted"));
        // The Pod object may be gone a moment before the kubelet finished its clean-up: wait for the port to close.
        var refused = await Tools.EventuallyAsync(
            async () => await Record.ExceptionAsync(() => ReadAsync(ipA, 8080)) as SocketException,
            e => e?.SocketErrorCode == SocketError.ConnectionRefused,
            TimeSpan.FromSeconds(20),
            _ => Task.FromResult($"{ipA}:8080 still accepts after pod a is gone"));
        Assert.Equal(SocketError.ConnectionRefused, refused!.SocketErrorCode);
        Assert.Equal("app of b", await ReadAsync(ipB, 8080));
    }

    /// <summary>Connects from the host and reads until the server closes (a reset reads as empty).</summary>
    private static async Task<string> ReadAsync(IPAddress address, int port)
    {
        using var client = new TcpClient();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(address, port, limit.Token);
        var buffer = new MemoryStream();
        try
        {
            await client.GetStream().CopyToAsync(buffer, limit.Token);
        }
        catch (IOException)
        {
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
