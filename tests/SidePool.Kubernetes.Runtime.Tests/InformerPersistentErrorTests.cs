using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.FakeServer;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Kubernetes.Runtime.Tests.Support;
using SidePool.Testing;
using Xunit;

namespace SidePool.Kubernetes.Runtime.Tests;

/// <summary>An informer the API server refuses (403 RBAC, as from a missing rule) against the fake API server.</summary>
public sealed class InformerPersistentErrorTests
{
    private static InformerOptions Fast => new() { InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(100) };

    [Fact]
    public async Task A_forbidden_list_is_logged_once_naming_the_permission_not_once_per_retry()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Server.Faults.Forbid("secrets", ["list", "watch"], user: "system:serviceaccount:x:y");
        using var logs = new CapturedLogs();
        var informer = new Informer<Secret>(cluster.Client.Resource(KubernetesResources.Secrets), Fast, logs.CreateLogger("informer.secrets"));
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);

        Assert.True(await Eventually.HoldsAsync(() => cluster.Server.Faults.ForbiddenRequests >= 6, TimeSpan.FromSeconds(20)), "the informer keeps retrying");
        Assert.False(informer.HasSynced);
        var line = Assert.Single(logs.Containing("forbidden", LogLevel.Warning));
        Assert.Contains("forbidden to list secrets in all namespaces", line.Message, StringComparison.Ordinal);
        Assert.Contains("RBAC: grant list/watch on secrets in API group \"\" cluster-wide", line.Message, StringComparison.Ordinal);
        Assert.Contains("User \"system:serviceaccount:x:y\"", line.Message, StringComparison.Ordinal);

        var error = informer.SyncError;
        Assert.NotNull(error);
        Assert.IsType<KubernetesForbiddenException>(error.Error);
        Assert.Equal(("list", "secrets", null), (error.Verb, error.Resource.Plural, error.Namespace));
        Assert.Equal("forbidden to list secrets in all namespaces (RBAC: grant list/watch on secrets in API group \"\" cluster-wide)", error.Summary);

        // Granted: the informer, still retrying, syncs and says so once.
        cluster.Server.Faults.Allow("secrets");
        await informer.WaitForSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.Null(informer.SyncError);
        Assert.Single(logs.Containing("syncing again"));
        Assert.Single(logs.Containing("forbidden", LogLevel.Warning));

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_subscriber_gets_the_error_and_its_clearing_once_each_and_the_informer_only_logs_at_debug()
    {
        await using var cluster = await FakeCluster.StartAsync();
        cluster.Server.Faults.Forbid("deployments", ["watch"], @namespace: "shop");
        using var logs = new CapturedLogs();
        var informer = new Informer<Deployment>(cluster.Client.Resource(KubernetesResources.Deployments), Fast with { Namespace = "shop" }, logs.CreateLogger("informer.deployments"));
        var changes = new List<InformerSyncError?>();
        informer.SyncErrorChanged += (_, e) =>
        {
            lock (changes)
            {
                changes.Add(e.Error);
            }
        };
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);

        // The list works, the watch is refused.
        await informer.WaitForSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.True(await Eventually.HoldsAsync(() => cluster.Server.Faults.ForbiddenRequests >= 5, TimeSpan.FromSeconds(20)));
        Assert.Equal("forbidden to watch deployments.apps in namespace shop (RBAC: grant list/watch on deployments in API group \"apps\" in namespace shop)", informer.SyncError?.Summary);
        await Assert.ThrowsAsync<KubernetesForbiddenException>(() => informer.ProbeAsync("watch", CancellationToken.None));
        await informer.ProbeAsync("list", CancellationToken.None);

        cluster.Server.Faults.Allow("deployments");
        Assert.True(await Eventually.HoldsAsync(
            () =>
            {
                lock (changes)
                {
                    return changes.Count == 2;
                }
            },
            TimeSpan.FromSeconds(10)));
        Assert.Null(informer.SyncError);
        await informer.ProbeAsync("watch", CancellationToken.None);
        await informer.ProbeAsync("list", CancellationToken.None);
        lock (changes)
        {
            Assert.Equal(2, changes.Count);
            Assert.Equal("watch", changes[0]!.Verb);
            Assert.Null(changes[1]);
        }

        Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Information);
        await stop.CancelAsync();
        await run;
    }
}
