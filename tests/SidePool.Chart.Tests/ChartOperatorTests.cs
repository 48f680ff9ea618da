using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SidePool.Kubernetes.FakeServer;
using SidePool.Testing;

namespace SidePool.Chart.Tests;

/// <summary>
/// After <c>helm install</c>, the operator runs exactly as the rendered Deployment says (its command, args and env,
/// with <c>$(VAR)</c> expanded as the kubelet does; only the binary's path and a kubeconfig in place of the in-cluster
/// service account differ) against the fake API server, whose controllers and pod simulation run the app: it keeps the
/// chart's webhook configuration's caBundle, serves the webhook the API server calls through the chart's Service, and
/// a pool selecting a Deployment's pods becomes Ready with their sidecars injected.
/// </summary>
public sealed partial class ChartOperatorTests
{
    private const string Namespace = "sidepool-system";
    private const string AppNamespace = "shop";

    [Fact]
    public async Task The_operator_from_the_rendered_Deployment_injects_and_makes_a_pool_Ready()
    {
        var metricsPort = FreePort.Next();
        var webhookPort = FreePort.Next();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions
        {
            RunControllers = true,
            SimulatePodLifecycle = true,
            // The chart's Service: port 443 → the pod's webhook port.
            WebhookServiceResolver = svc => svc.Name == "sidepool-webhook" && svc.NamespaceProperty == Namespace ? new Uri($"https://127.0.0.1:{webhookPort}") : null,
        });
        using var directory = new TestDirectory("sidepool-chart-operator");
        var kubeconfig = server.WriteKubeconfig(directory.PathOf("kubeconfig"));
        using var helm = new Helm(kubeconfig);
        using var api = new HttpClient { BaseAddress = server.BaseAddress };
        await helm.RunOkAsync(
            "install", "sidepool", Helm.ChartDirectory, "-n", Namespace, "--create-namespace", "--wait=hookOnly",
            "--set", $"metrics.port={metricsPort}", "--set", $"webhook.port={webhookPort}", "--set", "logLevel=debug");

        var deployment = await GetAsync(api, $"apis/apps/v1/namespaces/{Namespace}/deployments/sidepool");
        var container = deployment!["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var command = container["command"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Equal(["/usr/local/bin/sidepool-operator"], command);
        Assert.Contains("ENTRYPOINT [\"/usr/local/bin/sidepool-operator\"]", await File.ReadAllTextAsync(SourceTree.PathOf("images", "operator", "Containerfile")), StringComparison.Ordinal);
        var env = Environment(container, podName: "sidepool-5d8f7c9b4-x7k2p");
        var args = container["args"]!.AsArray().Select(a => Expand(a!.GetValue<string>(), env)).ToList();
        Assert.Contains($"--operator-namespace={Namespace}", args);

        await using var op = ManagedProcess.Start(
            Binaries.Operator,
            [.. args, "--kubeconfig", kubeconfig],
            new Dictionary<string, string>(env) { ["HOME"] = directory.FullPath },
            asServiceUser: false);
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}/") };
        await EventuallyAsync(async () => await StatusAsync(metrics, "readyz") == HttpStatusCode.OK, "the operator's /readyz", op);
        await EventuallyAsync(
            async () => (await GetAsync(api, $"apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/{Namespace}-sidepool"))!["webhooks"]![0]!["clientConfig"]!["caBundle"] is not null,
            "the caBundle of the chart's webhook configuration",
            op);

        // An app namespace, the database credentials, a pool and a Deployment it selects.
        await PostAsync(api, "api/v1/namespaces", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = AppNamespace } });
        await PostAsync(api, $"api/v1/namespaces/{AppNamespace}/secrets", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "orders-creds" },
            ["stringData"] = new JsonObject { ["username"] = "app", ["password"] = "app-password" },
        });
        await PostAsync(api, $"apis/sidepool.dev/v1alpha1/namespaces/{AppNamespace}/connectionpools", new JsonObject
        {
            ["apiVersion"] = "sidepool.dev/v1alpha1",
            ["kind"] = "ConnectionPool",
            ["metadata"] = new JsonObject { ["name"] = "orders" },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } },
                ["backend"] = new JsonObject { ["host"] = "db.shop.svc", ["database"] = "orders", ["credentialsSecret"] = new JsonObject { ["name"] = "orders-creds" } },
            },
        });
        await EventuallyAsync(async () => (await PoolAsync(api))?["status"]?["currentVersion"] is not null, "a published version", op);
        await PostAsync(api, $"apis/apps/v1/namespaces/{AppNamespace}/deployments", new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = "web" },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 2,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } },
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = "web" } },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "example/web:1" }) },
                },
            },
        });

        await EventuallyAsync(
            async () => (await PoolAsync(api))?["status"] is JsonObject status &&
                status["targets"]?["injected"]?.GetValue<int>() == 2 &&
                status["conditions"]!.AsArray().Any(c => c!["type"]!.GetValue<string>() == "Ready" && c["status"]!.GetValue<string>() == "True"),
            "pool Ready with 2 injected pods",
            op);
        var pods = (await GetAsync(api, $"api/v1/namespaces/{AppNamespace}/pods?labelSelector=app%3Dweb"))!["items"]!.AsArray();
        Assert.Equal(2, pods.Count);
        Assert.All(pods, p => Assert.Equal("sidepool-orders", p!["spec"]!["initContainers"]![0]!["name"]!.GetValue<string>()));
        Assert.Contains("dbug:", op.Output, StringComparison.Ordinal); // --log-level=debug from the chart's values
    }

    /// <summary>The container's env as the kubelet gives it: values, and the fieldRefs the chart uses.</summary>
    private static Dictionary<string, string> Environment(JsonNode container, string podName)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in container["env"]!.AsArray())
        {
            var name = variable!["name"]!.GetValue<string>();
            env[name] = variable["value"]?.GetValue<string>() ?? variable["valueFrom"]!["fieldRef"]!["fieldPath"]!.GetValue<string>() switch
            {
                "metadata.name" => podName,
                "metadata.namespace" => Namespace,
                var other => throw new InvalidOperationException($"fieldRef {other} is not simulated here"),
            };
        }

        return env;
    }

    /// <summary>Kubernetes' <c>$(VAR)</c> expansion of args (<c>$$</c> escapes; unknown references stay as written).</summary>
    private static string Expand(string value, IReadOnlyDictionary<string, string> env) =>
        Reference().Replace(value, m => m.Value == "$$" ? "$" : env.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    [GeneratedRegex(@"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();

    private static Task<JsonObject?> PoolAsync(HttpClient api) => GetAsync(api, $"apis/sidepool.dev/v1alpha1/namespaces/{AppNamespace}/connectionpools/orders");

    private static async Task EventuallyAsync(Func<Task<bool>> done, string what, ManagedProcess op)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (op.HasExited)
            {
                Assert.Fail($"the operator exited ({op.ExitCode}) while waiting for {what}:\n{op.Output}");
            }

            if (await done())
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"timed out waiting for {what}; operator output:\n{op.Output}");
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private static async Task PostAsync(HttpClient api, string path, JsonObject body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await api.PostAsync(new Uri(path, UriKind.Relative), content);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<JsonObject?> GetAsync(HttpClient api, string path)
    {
        using var response = await api.GetAsync(new Uri(path, UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }
}
