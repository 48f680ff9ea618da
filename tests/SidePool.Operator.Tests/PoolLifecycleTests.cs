using System.Text;
using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Operator.Tests.Support;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>End to end against the fake API server: the real controller, informers, work queue and writes.</summary>
public sealed class PoolLifecycleTests
{
    private const string Ns = "default";

    private static PoolVersionStatus Version(ConnectionPool pool, string version) => pool.Status!.Versions!.Single(v => v.Version == version);

    private static string Condition(ConnectionPool pool, string type) => pool.Status?.Conditions?.FirstOrDefault(c => c.Type == type)?.Status ?? "";

    [Fact]
    public async Task SizeIsARevisionPortIsAVersionAndOldVersionsDrainThenRetire()
    {
        await using var h = await OperatorHarness.StartAsync();
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "first-password");
        var created = await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web"));

        // Version Secret, key Secret and status appear.
        var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "current version");
        var v1 = pool.Status!.CurrentVersion!;
        var secrets = await h.PoolSecretsAsync(Ns, "orders");
        Assert.Equal(new[] { "orders-" + v1, "orders-client", "orders-key" }.Order(StringComparer.Ordinal), secrets.Select(s => s.Metadata!.Name!).Order(StringComparer.Ordinal));
        Assert.All(secrets, s => Assert.Equal(created.Metadata.Uid, Assert.Single(s.Metadata!.OwnerReferences!).Uid));
        Assert.Equal(32, secrets.Single(s => s.Metadata!.Name == "orders-key").Data![VersionContract.Secrets.HashKeyDataKey].Length);
        var v1Secret = secrets.Single(s => s.Metadata!.Name == "orders-" + v1);
        Assert.Equal(v1, v1Secret.Metadata!.Labels![VersionContract.Labels.Version]);
        Assert.Contains("port=5432", Encoding.UTF8.GetString(v1Secret.Data!["pgbouncer.ini"]), StringComparison.Ordinal);
        Assert.Contains("/etc/sidepool/orders/userlist.txt", Encoding.UTF8.GetString(v1Secret.Data!["pgbouncer.ini"]), StringComparison.Ordinal);
        Assert.Equal(1, pool.Status.ObservedGeneration);
        Assert.Equal(VersionStates.Current, Version(pool, v1).State);

        // Pods admitted with v1 are counted.
        var (deployment, rs1) = await h.CreateDeploymentAsync(Ns, "web", "web");
        await h.CreatePodAsync(Ns, "web-1-a", "web", rs1, "orders", v1);
        await h.CreatePodAsync(Ns, "web-1-b", "web", rs1, "orders", v1);
        pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.Versions?.FirstOrDefault()?.ReadyPods == 2 && Condition(p, "Ready") == "True", "2 ready pods");
        Assert.Equal(new TargetsStatus { Workloads = 1, Pods = 2, Injected = 2, Outdated = 0, Missing = 0 }, pool.Status!.Targets);
        Assert.Equal(new ServerConnectionsStatus { PerPod = 10, Pods = 2, Total = 20 }, pool.Status.ServerConnections);
        var revision1 = Version(pool, v1).ConfigRevision;

        // pool.size: same version, Secret rewritten in place, no template change.
        await h.PatchPoolAsync(Ns, "orders", new JsonObject { ["pool"] = new JsonObject { ["size"] = 20 } });
        pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.ObservedGeneration == 2, "generation 2");
        Assert.Equal(v1, pool.Status!.CurrentVersion);
        var revision2 = Version(pool, v1).ConfigRevision;
        Assert.NotEqual(revision1, revision2);
        var rewritten = await h.Secrets.GetAsync("orders-" + v1, Ns);
        Assert.Contains("default_pool_size = 20", Encoding.UTF8.GetString(rewritten.Data!["pgbouncer.ini"]), StringComparison.Ordinal);
        Assert.Equal(revision2, rewritten.Metadata!.Annotations![VersionContract.Annotations.ConfigRevision]);
        Assert.Null((await h.Deployments.GetAsync("web", Ns)).Spec!.Template.Metadata!.Annotations);
        Assert.Equal(3, (await h.PoolSecretsAsync(Ns, "orders")).Count);

        // Password rotation: revision only.
        await h.SetPasswordAsync(Ns, "orders-creds", "second-password");
        pool = await h.PoolWhenAsync(Ns, "orders", p => Version(p, v1).ConfigRevision != revision2, "revision after rotation");
        Assert.Equal(v1, pool.Status!.CurrentVersion);
        Assert.Contains("password='second-password'", Encoding.UTF8.GetString((await h.Secrets.GetAsync("orders-" + v1, Ns)).Data!["pgbouncer.ini"]), StringComparison.Ordinal);
        Assert.DoesNotContain("second-password", System.Text.Json.JsonSerializer.Serialize(pool.Status, ApiJsonContext.Default.ConnectionPoolStatus), StringComparison.Ordinal);
        Assert.Null((await h.Deployments.GetAsync("web", Ns)).Spec!.Template.Metadata!.Annotations);

        // sidecar.port: a new version; the Deployment is stamped; v1 drains.
        await h.PatchPoolAsync(Ns, "orders", new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 7432 } });
        pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion != v1 && p.Status?.ObservedGeneration == 3, "version 2");
        var v2 = pool.Status!.CurrentVersion!;
        Assert.Equal(VersionStates.Draining, Version(pool, v1).State);
        Assert.NotNull(Version(pool, v1).DrainingSince);
        Assert.Equal(2, Version(pool, v1).Pods);
        Assert.Equal(2, pool.Status.Targets!.Outdated);
        Assert.Equal("True", Condition(pool, "Progressing"));
        var stamped = await OperatorHarness.EventuallyAsync(() => h.Deployments.GetAsync("web", Ns), d => d.Spec!.Template.Metadata!.Annotations?.ContainsKey("sidepool.dev/version-orders") == true, what: "stamp");
        Assert.Equal(v2, stamped.Spec!.Template.Metadata!.Annotations!["sidepool.dev/version-orders"]);
        Assert.Equal(new[] { "orders-" + v1, "orders-" + v2, "orders-client", "orders-key" }.Order(StringComparer.Ordinal), (await h.PoolSecretsAsync(Ns, "orders")).Select(s => s.Metadata!.Name!).Order(StringComparer.Ordinal));

        // The Deployment controller's work, by hand: new pods on v2, old ones go.
        var rs2 = await h.CreateReplicaSetAsync(deployment, "2");
        await h.CreatePodAsync(Ns, "web-2-a", "web", rs2, "orders", v2);
        await h.Pods.DeleteAsync("web-1-a", Ns);
        pool = await h.PoolWhenAsync(Ns, "orders", p => Version(p, v1).Pods == 1 && Version(p, v2).Pods == 1, "half way");
        Assert.Equal(VersionStates.Draining, Version(pool, v1).State);
        Assert.NotNull(await h.Secrets.TryGetAsync("orders-" + v1, Ns));

        await h.CreatePodAsync(Ns, "web-2-b", "web", rs2, "orders", v2);
        await h.Pods.DeleteAsync("web-1-b", Ns);
        pool = await h.PoolWhenAsync(Ns, "orders", p => Version(p, v1).State == VersionStates.Retired && Condition(p, "Progressing") == "False", "v1 retired");
        Assert.NotNull(Version(pool, v1).RetiredAt);
        Assert.Equal([v2, v1], pool.Status!.Versions!.Select(v => v.Version));
        await OperatorHarness.EventuallyAsync(() => h.Secrets.TryGetAsync("orders-" + v1, Ns), s => s is null, what: "v1 Secret deleted");
        Assert.Equal("RolloutComplete", pool.Status.Conditions!.Single(c => c.Type == "Progressing").Reason);

        var events = await OperatorHarness.EventuallyAsync(() => h.EventsAsync(Ns), e => e.Any(x => x.Reason == "VersionRetired"), what: "events");
        Assert.Contains(events, e => e.Reason == "VersionCreated" && e.Regarding!.Name == "orders");
        Assert.Contains(events, e => e.Reason == "RolloutStarted" && e.Note!.Contains("Deployment/web", StringComparison.Ordinal));
        Assert.All(events, e => Assert.DoesNotContain("password", e.Note!, StringComparison.OrdinalIgnoreCase));

        // Deleting the pool: see PoolDeletionTests.
    }

    [Fact]
    public async Task StatusWritesOnlyWhenSomethingChanged()
    {
        await using var h = await OperatorHarness.StartAsync();
        await h.CreateCredentialsAsync(Ns, "quiet-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "quiet", "quiet"));
        var pool = await h.PoolWhenAsync(Ns, "quiet", p => p.Status?.CurrentVersion is not null, "status");
        await Task.Delay(1500); // several recheck intervals and informer events
        var again = await h.Pools.GetAsync("quiet", Ns);
        Assert.Equal(pool.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task MissingCredentialsDegradeUntilTheSecretAppears()
    {
        await using var h = await OperatorHarness.StartAsync();
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "late", "late"));
        var pool = await h.PoolWhenAsync(Ns, "late", p => Condition(p, "Degraded") == "True", "degraded");
        var degraded = pool.Status!.Conditions!.Single(c => c.Type == "Degraded");
        Assert.Equal("CredentialsSecretNotFound", degraded.Reason);
        Assert.Null(pool.Status.CurrentVersion);

        await h.CreateCredentialsAsync(Ns, "late-creds", "app", "pw");
        pool = await h.PoolWhenAsync(Ns, "late", p => p.Status?.CurrentVersion is not null && Condition(p, "Degraded") == "False", "recovered");
        Assert.NotNull(await h.Secrets.TryGetAsync("late-" + pool.Status!.CurrentVersion, Ns));
    }
}
