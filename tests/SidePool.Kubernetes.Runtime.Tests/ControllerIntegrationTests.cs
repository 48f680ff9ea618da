using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Runtime.Controllers;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Kubernetes.Runtime.Tests.Support;
using SidePool.Kubernetes.Runtime.WorkQueues;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Kubernetes.Runtime.Tests;

/// <summary>Informer → queue → controller → status writes against the fake server, with stale caches and 409s.</summary>
public sealed class ControllerIntegrationTests(ITestOutputHelper output)
{
    /// <summary>Writes status.observedGeneration = metadata.generation from the (possibly stale) cache, like a status updater.</summary>
    private sealed class ObservedGenerationReconciler(Informer<Deployment> informer, IResourceClient<Deployment> deployments) : IReconciler<ObjectKey>
    {
        public async Task<ReconcileResult> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
        {
            var cached = informer.Cache.Get(key);
            if (cached is null || cached.Status?.ObservedGeneration == cached.Metadata!.Generation)
            {
                return ReconcileResult.Done;
            }

            // Deployment stands in for a resource the operator owns: PUT /status with the cached resourceVersion.
            await deployments.ReplaceStatusAsync(cached with { Status = (cached.Status ?? new DeploymentStatus()) with { ObservedGeneration = cached.Metadata.Generation } }, cancellationToken: cancellationToken);
            return ReconcileResult.Done;
        }
    }

    [Fact]
    public async Task Status_conflicts_from_stale_caches_and_injected_409s_are_retried_until_every_object_converges()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var deployments = cluster.Client.Resource(KubernetesResources.Deployments);
        for (var i = 0; i < 10; i++)
        {
            await deployments.CreateAsync(new Deployment
            {
                Metadata = new ObjectMeta { Name = $"web-{i}" },
                Spec = new DeploymentSpec
                {
                    Replicas = 1,
                    Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                    Template = new PodTemplateSpec { Metadata = new ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } }, Spec = new PodSpec { Containers = [new Container { Name = "app", Image = "nginx" }] } },
                },
            });
        }

        var informer = new Informer<Deployment>(deployments, new InformerOptions { Namespace = "default", InitialBackoff = TimeSpan.FromMilliseconds(20) });
        var queue = new RateLimitingWorkQueue<ObjectKey>(new ItemExponentialRateLimiter<ObjectKey>(TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(200)));
        var controller = new Controller<ObjectKey>(new ObservedGenerationReconciler(informer, deployments), queue, new ControllerOptions { Workers = 3, Name = "observed-generation" });
        informer.AddHandler(EnqueueingEventHandler.ForObjectKeys<Deployment>(controller.Queue));
        cluster.Server.Faults.FailNext(409, 15, "update", "deployments/status");
        using var stop = new CancellationTokenSource();
        var running = Task.WhenAll(informer.RunAsync(stop.Token), controller.RunAsync(stop.Token));

        // Users keep changing specs while the controller writes status.
        for (var round = 2; round <= 6; round++)
        {
            for (var i = 0; i < 10; i++)
            {
                await deployments.PatchAsync($"web-{i}", null, KubernetesPatch.Merge(new System.Text.Json.Nodes.JsonObject { ["spec"] = new System.Text.Json.Nodes.JsonObject { ["replicas"] = round } }));
            }
        }

        async Task<bool> AllConvergedAsync()
        {
            var list = await deployments.ListAsync("default");
            return list.Items.All(d => d.Status?.ObservedGeneration == d.Metadata!.Generation && d.Metadata.Generation >= 6);
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        var converged = false;
        while (!converged && DateTime.UtcNow < deadline)
        {
            converged = await AllConvergedAsync();
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        await running;
        output.WriteLine($"controller: {controller.Statistics}; informer: {informer.Statistics}; injected 409s: {cluster.Server.Faults.InjectedErrors}");
        Assert.True(converged);
        Assert.True(controller.Statistics.Conflicts >= 15, controller.Statistics.ToString());
        Assert.Equal(0, controller.Statistics.Failures);
    }
}
