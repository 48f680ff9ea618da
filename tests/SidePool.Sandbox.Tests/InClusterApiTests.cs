using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SidePool.Kubernetes.Client;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>
/// In-cluster API access (the service-account volume, KUBERNETES_SERVICE_HOST/PORT relayed into the pod) and hostNetwork
/// pods. The pods run socat (the forwarder image): it also speaks TLS, so a pod calls the API server with its own token and
/// CA bundle.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed partial class InClusterApiTests(SandboxFixture sandbox)
{
    private const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    [Fact]
    public async Task A_pod_calls_the_API_server_with_its_mounted_token_and_CA_at_KUBERNETES_SERVICE_HOST_and_is_that_service_account()
    {
        var ns = await sandbox.NamespaceAsync("api-access");
        await sandbox.ApplyAsync($$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: caller, namespace: {{ns}}}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: caller
                image: localhost/sidepool/forwarder:dev
                args: ["-U", "TCP-LISTEN:8080,fork,reuseaddr", "OPEN:{{ServiceAccountDirectory}}/namespace,rdonly"]
                volumeMounts: [{name: request, mountPath: /req}]
              volumes: [{name: request, configMap: {name: request, optional: true} }]
            """);
        var pod = await PodAssertions.WaitAsync(sandbox, ns, "caller", p => p is not null && PodAssertions.Ready(p), "the caller Ready");
        var container = $"k8s_{ns}_caller_{pod!.Metadata!.Uid![..8]}-caller";
        var token = (await Tools.PodmanAsync("exec", container, "socat", "-u", $"OPEN:{ServiceAccountDirectory}/token,rdonly", "STDOUT")).Stdout;
        var namespaceFile = (await Tools.PodmanAsync("exec", container, "socat", "-u", $"OPEN:{ServiceAccountDirectory}/namespace,rdonly", "STDOUT")).Stdout;
        var env = (await Tools.PodmanAsync("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", container)).Stdout.Split('\n');
        var port = ApiPort();
        await sandbox.Client.Resource(KubernetesResources.ConfigMaps).CreateAsync(new ConfigMap
        {
            Metadata = new() { Name = "request", NamespaceProperty = ns },
            Data = new Dictionary<string, string> { ["http"] = $"GET /api/v1/namespaces/{ns}/secrets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n" },
        });
        await Tools.EventuallyAsync(
            () => Tools.PodmanAsync("exec", container, "socat", "-u", "OPEN:/req/http,rdonly", "STDOUT"),
            r => r.Stdout.Contains("Bearer", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20),
            r => Task.FromResult($"the request file in the pod: {r.Stderr}"));
        var call = await Tools.PodmanAsync("exec", container, "socat", "-t", "5", "OPEN:/req/http,rdonly!!STDOUT", $"OPENSSL:127.0.0.1:{port},cafile={ServiceAccountDirectory}/ca.crt");

        Assert.Matches("^kube-api-access-[a-z0-9]{5}$", Assert.Single(pod.Spec!.Volumes!, v => v.Projected is not null).Name);
        Assert.Equal(ns, namespaceFile);
        Assert.StartsWith("sbx.", token, StringComparison.Ordinal);
        Assert.Contains("KUBERNETES_SERVICE_HOST=127.0.0.1", env);
        Assert.Contains($"KUBERNETES_SERVICE_PORT={port}", env);
        Assert.True(call.ExitCode == 0, call.Stderr);
        Assert.StartsWith("HTTP/1.1 403", call.Stdout, StringComparison.Ordinal);
        Assert.Contains($"User \\\"system:serviceaccount:{ns}:default\\\" cannot list resource \\\"secrets\\\"", call.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hostNetwork_pod_serves_on_the_host_and_a_second_one_with_the_same_port_stays_Pending_until_it_is_free()
    {
        var ns = await sandbox.NamespaceAsync("host-network");
        var port = FreePort();
        string Pod(string name) => $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: {{name}}, namespace: {{ns}}}
            spec:
              hostNetwork: true
              terminationGracePeriodSeconds: 2
              containers:
              - name: web
                image: localhost/sidepool/forwarder:dev
                args: ["-U", "TCP-LISTEN:{{port}},bind=127.0.0.1,fork,reuseaddr", "OPEN:{{ServiceAccountDirectory}}/namespace,rdonly"]
                ports: [{containerPort: {{port}} }]
            """;
        await sandbox.ApplyAsync(Pod("first"));
        var first = await PodAssertions.WaitAsync(sandbox, ns, "first", p => p is not null && PodAssertions.Ready(p), "the first hostNetwork pod Ready");
        await sandbox.ApplyAsync(Pod("second"));
        var pending = await PodAssertions.WaitAsync(sandbox, ns, "second", p => p is not null && PodAssertions.Condition(p, "PodScheduled")?.Status == "False", "the second pod unschedulable");
        var answer = await ReadAsync(port);
        var env = (await Tools.PodmanAsync("inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", $"k8s_{ns}_first_{first!.Metadata!.Uid![..8]}-web")).Stdout.Split('\n');

        await sandbox.Client.Resource(KubernetesResources.Pods).DeleteAsync("first", ns);
        var second = await PodAssertions.WaitAsync(sandbox, ns, "second", p => p is not null && PodAssertions.Ready(p), "the second pod Ready once the port is free");

        Assert.Equal("127.0.0.1", first.Status!.PodIP);
        Assert.Equal("127.0.0.1", first.Status.HostIP);
        Assert.Equal(ns, answer);
        Assert.Contains("KUBERNETES_SERVICE_HOST=127.0.0.1", env);
        Assert.Contains($"KUBERNETES_SERVICE_PORT={ApiPort()}", env);
        Assert.Equal("Pending", pending!.Status!.Phase);
        Assert.Null(pending.Spec!.NodeName);
        Assert.Equal("Unschedulable", PodAssertions.Condition(pending, "PodScheduled")!.Reason);
        Assert.Equal("0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.", PodAssertions.Condition(pending, "PodScheduled")!.Message);
        Assert.Equal("127.0.0.1", second!.Status!.PodIP);
        Assert.Equal("True", PodAssertions.Condition(second, "PodScheduled")!.Status);
    }

    private int ApiPort() => int.Parse(ServerPort().Match(File.ReadAllText(sandbox.Kubeconfig)).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> ReadAsync(int port)
    {
        using var client = new TcpClient();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(IPAddress.Loopback, port, limit.Token);
        var buffer = new MemoryStream();
        await client.GetStream().CopyToAsync(buffer, limit.Token);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [GeneratedRegex(@"""server""\s*:\s*""https://127\.0\.0\.1:(\d+)")]
    private static partial Regex ServerPort();
}
