using System.Net;
using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Operator.Hosting;
using SidePool.Operator.Tests.Support;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Operator.Tests;

/// <summary>
/// Replicas of the real operator host whose service account may not list Secrets (the fake API server answers 403 as
/// RBAC would): they must not hold the Lease doing nothing.
/// </summary>
public sealed class NotSyncingTests(ITestOutputHelper output)
{
    private const string Reason = "not syncing: forbidden to list secrets in all namespaces (RBAC: grant list/watch on secrets in API group \"\" cluster-wide)";

    private static OperatorOptions Options(string identity) => new()
    {
        MetricsPort = FreePort.Next(),
        Webhook = false,
        SidecarMode = "native",
        Identity = identity,
        OperatorNamespace = "default",
        NotSyncingRecheck = TimeSpan.FromMilliseconds(250),
    };

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static int ForbiddenLines(CapturedLogs logs) => logs.Containing("forbidden to list secrets").Count;

    [Fact]
    public async Task ReplicasThatCannotListSecretsFailTheirProbesGiveUpTheLeaseLogOnceAndRecoverWhenGranted()
    {
        await using var h = await OperatorHarness.StartAsync(startController: false);
        var faults = h.Server.Faults;
        var leases = h.Client.Resource(KubernetesResources.Leases);
        await h.CreateCredentialsAsync("default", "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool("default", "orders", "web"));
        faults.Forbid("secrets", ["list", "watch"], user: "system:serviceaccount:default:sidepool-operator");

        using var logsA = new CapturedLogs();
        using var logsB = new CapturedLogs();
        var a = Options("replica-a");
        var b = Options("replica-b");
        await using var hostA = OperatorHost.Build(a, h.Client, l => { l.ClearProviders(); l.AddProvider(logsA); });
        await using var hostB = OperatorHost.Build(b, h.Client, l => { l.ClearProviders(); l.AddProvider(logsB); });
        using var httpA = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{a.MetricsPort}/") };
        using var httpB = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{b.MetricsPort}/") };

        // A leads, cannot fill its Secret cache: both probes fail with the reason, and the Lease is given up.
        await hostA.StartAsync();
        var healthA = await OperatorHarness.EventuallyAsync(() => GetAsync(httpA, "healthz"), r => r.Status != HttpStatusCode.OK, TimeSpan.FromSeconds(20), "A's /healthz fails");
        Assert.Equal((HttpStatusCode.InternalServerError, Reason + "\n"), healthA);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, Reason + "\n"), await GetAsync(httpA, "readyz"));
        await OperatorHarness.EventuallyAsync(() => leases.TryGetAsync("sidepool-operator", "default"), l => l is not null && string.IsNullOrEmpty(l.Spec?.HolderIdentity), TimeSpan.FromSeconds(20), "A released the Lease");

        // B can take the Lease at once; it cannot sync either and gives it up too.
        await hostB.StartAsync();
        var healthB = await OperatorHarness.EventuallyAsync(() => GetAsync(httpB, "healthz"), r => r.Status != HttpStatusCode.OK, TimeSpan.FromSeconds(20), "B's /healthz fails");
        Assert.Equal((HttpStatusCode.InternalServerError, Reason + "\n"), healthB);
        await OperatorHarness.EventuallyAsync(() => leases.TryGetAsync("sidepool-operator", "default"), l => string.IsNullOrEmpty(l?.Spec?.HolderIdentity), TimeSpan.FromSeconds(20), "B released the Lease");

        // Both keep checking in the background; each says what is missing once, not once per attempt.
        var forbiddenSoFar = faults.ForbiddenRequests;
        await OperatorHarness.EventuallyAsync(() => Task.FromResult(faults.ForbiddenRequests), n => n >= forbiddenSoFar + 6, TimeSpan.FromSeconds(30), "more attempts");
        var lineA = Assert.Single(logsA.Containing("forbidden to list secrets"));
        Assert.Equal(LogLevel.Error, lineA.Level);
        Assert.Contains("User \"system:serviceaccount:default:sidepool-operator\" cannot list resource \"secrets\"", lineA.Message, StringComparison.Ordinal);
        Assert.Equal(1, ForbiddenLines(logsB));
        Assert.Null((await leases.GetAsync("sidepool-operator", "default")).Spec?.HolderIdentity);

        // Granted: a replica leads again, syncs and reconciles; both are healthy.
        faults.Allow("secrets");
        var pool = await h.PoolWhenAsync("default", "orders", p => p.Status?.CurrentVersion is not null, "reconciled after the grant", TimeSpan.FromSeconds(45));
        Assert.NotNull(pool.Status!.CurrentVersion);
        foreach (var http in new[] { httpA, httpB })
        {
            await OperatorHarness.EventuallyAsync(() => GetAsync(http, "healthz"), r => r == (HttpStatusCode.OK, "ok\n"), TimeSpan.FromSeconds(30), "healthy again");
            await OperatorHarness.EventuallyAsync(() => GetAsync(http, "readyz"), r => r == (HttpStatusCode.OK, "ok\n"), TimeSpan.FromSeconds(30), "ready again");
        }

        var holder = (await leases.GetAsync("sidepool-operator", "default")).Spec?.HolderIdentity;
        Assert.Contains(holder, new[] { "replica-a", "replica-b" });
        Assert.Equal(1, ForbiddenLines(logsA));
        Assert.Equal(1, ForbiddenLines(logsB));
        Assert.Single(logsA.Containing("Syncing can resume: list secrets works again"));
        Assert.Single(logsB.Containing("Syncing can resume: list secrets works again"));
        await hostA.StopAsync();
        await hostB.StopAsync();
        foreach (var line in logsA.Lines.Where(l => l.Level >= LogLevel.Information))
        {
            output.WriteLine($"A {line.Level} {line.Category}: {line.Message}");
        }
    }

    [Fact]
    public async Task WithTheWebhookTheProbesNameTheProblemAndEachCacheSaysItOnce()
    {
        await using var h = await OperatorHarness.StartAsync(startController: false);
        var faults = h.Server.Faults;
        faults.Forbid("secrets", ["list", "watch"]);
        using var logs = new CapturedLogs();
        var options = Options("replica-w") with { Webhook = true, WebhookPort = FreePort.Next() };
        await using var host = OperatorHost.Build(options, h.Client, l => { l.ClearProviders(); l.AddProvider(logs); });
        await host.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.MetricsPort}/") };

        var ready = await OperatorHarness.EventuallyAsync(() => GetAsync(http, "readyz"), r => r.Body.StartsWith("not syncing", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "/readyz names the problem");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, Reason + "\n"), ready);
        Assert.Equal((HttpStatusCode.InternalServerError, Reason + "\n"), await GetAsync(http, "healthz"));

        // The controller's decision, and the webhook's Secret cache (which it cannot see), once each however long it lasts.
        var soFar = faults.ForbiddenRequests;
        await OperatorHarness.EventuallyAsync(() => Task.FromResult(faults.ForbiddenRequests), n => n >= soFar + 6, TimeSpan.FromSeconds(30), "more attempts");
        var lines = logs.Containing("forbidden to list secrets");
        Assert.Equal(2, lines.Count);
        Assert.Single(lines, l => l.Level == LogLevel.Error && l.Category.EndsWith("ControllerService", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Level == LogLevel.Warning && l.Category == "webhook.informer.versionsecrets");

        faults.Allow("secrets");
        await OperatorHarness.EventuallyAsync(() => GetAsync(http, "readyz"), r => r == (HttpStatusCode.OK, "ok\n"), TimeSpan.FromSeconds(75), "ready again");
        Assert.Equal((HttpStatusCode.OK, "ok\n"), await GetAsync(http, "healthz"));
        await host.StopAsync();
    }
}
