using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Operator.Controller;
using SidePool.Operator.Hosting;
using SidePool.Operator.Tests.Support;
using SidePool.Testing;
using Xunit;

namespace SidePool.Operator.Tests;

public sealed class LeaderFailoverTests
{
    private static OperatorOptions Options(string identity) => new()
    {
        MetricsPort = FreePort.Next(),
        Webhook = false,
        SidecarMode = "native",
        Identity = identity,
        OperatorNamespace = "default",
    };

    [Fact]
    public async Task OnlyTheLeaderReconcilesAndAFollowerTakesOverWhenItStops()
    {
        await using var h = await OperatorHarness.StartAsync(startController: false);
        var leases = h.Client.Resource(KubernetesResources.Leases);
        var a = Options("replica-a");
        var b = Options("replica-b");
        await using var hostA = OperatorHost.Build(a, h.Client, l => l.ClearProviders());
        await hostA.StartAsync();
        await OperatorHarness.EventuallyAsync(() => leases.TryGetAsync("sidepool-operator", "default"), l => l?.Spec?.HolderIdentity == "replica-a", what: "a leads");
        await using var hostB = OperatorHost.Build(b, h.Client, l => l.ClearProviders());
        await hostB.StartAsync();
        using var httpA = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{a.MetricsPort}/") };
        using var httpB = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{b.MetricsPort}/") };

        await h.CreateCredentialsAsync("default", "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool("default", "orders", "web"));
        var v1 = (await h.PoolWhenAsync("default", "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
        // (Both hosts share the process's meters here, so leadership is checked on the services, not /metrics.)
        Assert.True(hostA.Services.GetRequiredService<ControllerService>().IsLeader);
        Assert.False(hostB.Services.GetRequiredService<ControllerService>().IsLeader);
        Assert.Null(hostB.Services.GetRequiredService<PoolController>().Statistics); // never ran a term
        Assert.True(hostA.Services.GetRequiredService<PoolController>().Statistics!.Reconciles > 0);
        Assert.Equal(HttpStatusCode.OK, (await httpB.GetAsync(new Uri("readyz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await httpA.GetAsync(new Uri("healthz", UriKind.Relative))).StatusCode);

        // The leader goes away (releasing its Lease); the follower takes over and reconciles the next change.
        await hostA.StopAsync();
        await OperatorHarness.EventuallyAsync(() => leases.TryGetAsync("sidepool-operator", "default"), l => l?.Spec?.HolderIdentity == "replica-b", TimeSpan.FromSeconds(30), "b leads");
        await h.PatchPoolAsync("default", "orders", new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 7432 } });
        var pool = await h.PoolWhenAsync("default", "orders", p => p.Status?.CurrentVersion is { } c && c != v1, "v2 by b", TimeSpan.FromSeconds(30));
        Assert.Equal(2, pool.Status!.Versions!.Count(v => v.Version is not null));
        Assert.True(hostB.Services.GetRequiredService<ControllerService>().IsLeader);
        Assert.True(hostB.Services.GetRequiredService<PoolController>().Statistics!.Reconciles > 0);
        await hostB.StopAsync();
    }
}
