using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Operator.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Operator.Tests;

/// <summary>
/// Issue 9, item 1, across the seam operator → API server → Deployment controller → webhook → pods: a spec change
/// publishes the new version before any workload is stamped, so every pod the stamp creates runs it, and the old
/// version drains and retires.
/// </summary>
public sealed class StampAfterPublishTests(ITestOutputHelper output)
{
    private const string Ns = InjectingCluster.Ns;

    [Fact]
    public async Task A_spec_change_rolls_every_pod_to_the_new_version_and_the_old_one_retires()
    {
        await using var cluster = await InjectingCluster.StartAsync();
        var h = cluster.Harness;
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web"));
        var v1 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;

        // The Deployment controller creates the pods; the API server has the webhook inject v1.
        await cluster.CreateDeploymentAsync("web", "web", replicas: 3);
        try
        {
            await OperatorHarness.EventuallyAsync(() => cluster.PodsAsync("web"), pods => pods.Count == 3 && pods.All(p => Version(p) == v1 && Ready(p)), TimeSpan.FromSeconds(60), "3 ready pods on v1");
        }
        catch (TimeoutException)
        {
            foreach (var pod in await cluster.PodsAsync("web"))
            {
                output.WriteLine($"{pod.Metadata!.Name}: labels {string.Join(",", pod.Metadata.Labels!.Select(l => l.Key + "=" + l.Value))} ready {Ready(pod)} init {pod.Spec!.InitContainers?.Count}");
            }

            output.WriteLine(string.Join("\n", InjectingCluster.ServerLog.Containing("", Microsoft.Extensions.Logging.LogLevel.Warning).Select(l => $"{l.Level}: {l.Message}")));
            var events = await h.EventsAsync(Ns);
            output.WriteLine(string.Join("\n", events.Select(e => $"{e.Reason}: {e.Note}")));
            throw;
        }
        await h.PoolWhenAsync(Ns, "orders", p => p.Status?.Versions?.FirstOrDefault(v => v.Version == v1)?.ReadyPods == 3, "v1 counted");

        // Watch every pod while the spec changes: a pod created for the new version must run it.
        var wrong = new ConcurrentDictionary<string, string>();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var pod in await cluster.PodsAsync("web"))
                {
                    if (VersionContract.Annotations.TemplateVersionOf(pod.Metadata!.Annotations, "orders") is { } asked && Version(pod) != asked)
                    {
                        wrong[pod.Metadata.Name!] = $"created for {asked}, runs {Version(pod) ?? "no sidecar"}";
                    }
                }

                await Task.Delay(20);
            }
        });

        // Publishing the new version is held up (status writes conflict for a while, as with a stale cache): no
        // workload may roll before it is published, or its new pods would get the old version.
        h.Server.Faults.FailNext(409, count: 8, verb: "update", resource: "connectionpools/status");
        await h.PatchPoolAsync(Ns, "orders", new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 7432 } });
        var v2 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is { } c && c != v1, "v2")).Status!.CurrentVersion!;

        var pool = await h.PoolWhenAsync(
            Ns,
            "orders",
            p => p.Status!.Versions!.Any(v => v.Version == v1 && v.State == "Retired") && p.Status.Versions!.Any(v => v.Version == v2 && v.ReadyPods == 3) &&
                 p.Status.Conditions!.Any(c => c.Type == "Progressing" && c.Reason == "RolloutComplete"),
            "every pod on v2, v1 retired",
            TimeSpan.FromSeconds(90));
        await stop.CancelAsync();
        await sampler;

        var pods = await cluster.PodsAsync("web");
        output.WriteLine($"v1 {v1} -> v2 {v2}; pods at the end: {string.Join(", ", pods.Select(p => $"{p.Metadata!.Name}={Version(p)}"))}");
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.Equal(v2, Version(p)));
        Assert.Empty(wrong);
        Assert.True(h.Server.Faults.InjectedErrors >= 8, $"{h.Server.Faults.InjectedErrors} conflicts injected");
        Assert.Equal(new Api.TargetsStatus { Workloads = 1, Pods = 3, Injected = 3, Outdated = 0, Missing = 0 }, pool.Status!.Targets);
        await OperatorHarness.EventuallyAsync(() => h.Secrets.TryGetAsync("orders-" + v1, Ns), s => s is null, what: "v1 Secret deleted");
    }

    private static string? Version(Pod pod) => VersionContract.Labels.VersionOf(pod.Metadata?.Labels, "orders");

    private static bool Ready(Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true && pod.Metadata?.DeletionTimestamp is null;
}
