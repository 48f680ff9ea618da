using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Operator.Tests.Support;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>
/// Issue 9, item 14: deleting a pool never takes the database away from running pods (their sidecars keep serving
/// with the files they mount), and the pool's stamps leave the workload templates.
/// </summary>
public sealed class PoolDeletionTests
{
    private const string Ns = "default";

    [Fact]
    public async Task Deleting_a_pool_keeps_mounted_version_secrets_until_their_pods_are_gone_and_removes_its_stamps()
    {
        await using var h = await OperatorHarness.StartAsync();
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web"));
        var v1 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
        var (deployment, rs1) = await h.CreateDeploymentAsync(Ns, "web", "web");
        await h.CreatePodAsync(Ns, "web-1-a", "web", rs1, "orders", v1);

        // A new version: the Deployment is stamped, the old pod still runs v1.
        await h.PatchPoolAsync(Ns, "orders", new System.Text.Json.Nodes.JsonObject { ["sidecar"] = new System.Text.Json.Nodes.JsonObject { ["port"] = 7432 } });
        var v2 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is { } c && c != v1, "v2")).Status!.CurrentVersion!;
        await OperatorHarness.EventuallyAsync(() => h.Deployments.GetAsync("web", Ns), d => d.Spec!.Template.Metadata!.Annotations?.ContainsKey("sidepool.dev/version-orders") == true, what: "stamp");
        var rs2 = await h.CreateReplicaSetAsync(deployment, "2");
        await h.CreatePodAsync(Ns, "web-2-a", "web", rs2, "orders", v2);

        await h.Pools.DeleteAsync("orders", Ns);
        await OperatorHarness.EventuallyAsync(() => h.Pools.TryGetAsync("orders", Ns), p => p is null, what: "pool gone (finalizer removed)");
        h.Server.CollectGarbage();

        // Running pods are untouched and keep what they mount; the pool's own Secrets go.
        await OperatorHarness.EventuallyAsync(() => h.PoolSecretsAsync(Ns, "orders"), s => s.Count == 2, what: "key and client Secrets collected");
        var kept = (await h.PoolSecretsAsync(Ns, "orders")).Select(s => s.Metadata!.Name!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "orders-" + v1, "orders-" + v2 }.Order(StringComparer.Ordinal), kept);
        Assert.All(await h.PoolSecretsAsync(Ns, "orders"), s => Assert.Equal("true", s.Metadata!.Labels![VersionContract.Labels.Orphaned]));
        Assert.Equal(2, (await h.Pods.ListAllAsync(Ns).ToListAsync()).Count);

        // The stamps are gone from the template (so the next pods start without the sidecar).
        var template = (await h.Deployments.GetAsync("web", Ns)).Spec!.Template.Metadata!;
        Assert.False(template.Annotations?.Keys.Any(k => k.EndsWith("-orders", StringComparison.Ordinal)) == true, string.Join(",", template.Annotations?.Keys ?? []));
        var events = await OperatorHarness.EventuallyAsync(() => h.EventsAsync(Ns), e => e.Any(x => x.Reason == "PoolDeleted"), what: "deletion event");
        Assert.Contains("Deployment/web", events.Single(e => e.Reason == "PoolDeleted").Note, StringComparison.Ordinal);

        // As the pods go, so do the Secrets they mounted.
        await h.Pods.DeleteAsync("web-1-a", Ns);
        await OperatorHarness.EventuallyAsync(() => h.Secrets.TryGetAsync("orders-" + v1, Ns), s => s is null, what: "v1 Secret deleted after its last pod");
        Assert.NotNull(await h.Secrets.TryGetAsync("orders-" + v2, Ns));
        await h.Pods.DeleteAsync("web-2-a", Ns);
        await OperatorHarness.EventuallyAsync(() => h.PoolSecretsAsync(Ns, "orders"), s => s.Count == 0, what: "v2 Secret deleted after its last pod");
    }

    [Fact]
    public async Task A_pool_gets_the_finalizer_that_makes_the_cleanup_possible()
    {
        await using var h = await OperatorHarness.StartAsync();
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web"));
        var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Metadata.Finalizers?.Contains("sidepool.dev/cleanup") == true, "finalizer");
        Assert.Single(pool.Metadata.Finalizers!);
    }
}
