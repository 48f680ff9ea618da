using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Operator.Hosting;
using SidePool.Operator.Tests.Support;
using SidePool.Testing;
using Xunit;

namespace SidePool.Operator.Tests;

public sealed class OperatorHostTests
{
    [Fact]
    public async Task HostElectsALeaderReconcilesAndServesMetricsHealthAndAdmission()
    {
        await using var h = await OperatorHarness.StartAsync(startController: false);
        var options = new OperatorOptions
        {
            MetricsPort = FreePort.Next(),
            WebhookPort = FreePort.Next(),
            SidecarMode = "native",
            Identity = "replica-a",
            OperatorNamespace = "default",
        };
        await using var app = OperatorHost.Build(options, h.Client, logging => logging.ClearProviders());
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.MetricsPort}/") };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("healthz", UriKind.Relative))).StatusCode);
        await OperatorHarness.EventuallyAsync(async () => (await http.GetAsync(new Uri("readyz", UriKind.Relative))).StatusCode, s => s == HttpStatusCode.OK, what: "/readyz");
        var lease = await OperatorHarness.EventuallyAsync(() => h.Client.Resource(KubernetesResources.Leases).TryGetAsync("sidepool-operator", "default"), l => l?.Spec?.HolderIdentity == "replica-a", what: "lease");
        Assert.NotNull(lease);

        await h.CreateCredentialsAsync("default", "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool("default", "orders", "web"));
        var pool = await h.PoolWhenAsync("default", "orders", p => p.Status?.CurrentVersion is not null, "status");
        var version = pool.Status!.CurrentVersion!;

        var metrics = await OperatorHarness.EventuallyAsync(() => http.GetStringAsync(new Uri("metrics", UriKind.Relative)), m => m.Contains("sidepool_operator_reconciles_total{result=\"success\"}", StringComparison.Ordinal), what: "metrics");
        // Other tests in this process publish on the same meters: check presence, not values.
        Assert.Contains("sidepool_operator_versions{state=\"Current\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("sidepool_operator_leader", metrics, StringComparison.Ordinal);
        Assert.Contains("sidepool_operator_queue_depth", metrics, StringComparison.Ordinal);
        Assert.Contains("sidepool_operator_reconcile_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("orders", metrics, StringComparison.Ordinal);

        // The webhook (HTTPS, self-signed certificate kept in a Secret) injects the published version.
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var https = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{options.WebhookPort}/") };
        var review = new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = "11111111-2222-3333-4444-555555555555",
                ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
                ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
                ["namespace"] = "default",
                ["operation"] = "CREATE",
                ["object"] = new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Pod",
                    ["metadata"] = new JsonObject { ["generateName"] = "web-", ["namespace"] = "default", ["labels"] = new JsonObject { ["app"] = "web" } },
                    ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "example/app:1" }) },
                },
            },
        };
        var answer = await OperatorHarness.EventuallyAsync(
            async () =>
            {
                using var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
                using var response = await https.PostAsync(new Uri("mutate-pods", UriKind.Relative), content);
                return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            },
            a => a["response"]?["patch"] is not null,
            what: "webhook patch");
        var patch = Encoding.UTF8.GetString(Convert.FromBase64String(answer["response"]!["patch"]!.GetValue<string>()));
        Assert.Contains($"orders-{version}", patch, StringComparison.Ordinal);
        Assert.True(answer["response"]!["allowed"]!.GetValue<bool>());

        // The webhook is not served on the metrics port.
        using var plain = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(new Uri("mutate-pods", UriKind.Relative), plain)).StatusCode);
        await app.StopAsync();
    }
}
