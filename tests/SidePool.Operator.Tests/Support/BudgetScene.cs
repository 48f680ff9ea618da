using SidePool.Operator.Controller;

namespace SidePool.Operator.Tests.Support;

/// <summary>
/// The set-up the budget step's tests share: an operator whose agents are at <see cref="PoolControllerOptions.AgentEndpoint"/>,
/// a pool "orders" in "default" with <c>backend.maxConnections</c> and <c>pool.size</c> 10 selecting app=web, its first
/// version published, and a Deployment "web" (2 replicas, 25% surge: 3 pods planned) with its ReplicaSet for the pods.
/// </summary>
public sealed record BudgetScene(OperatorHarness Harness, string Version, ReplicaSet ReplicaSet)
{
    public const string Ns = "default";

    public static async Task<BudgetScene> StartAsync(int maxConnections, PoolControllerOptions options)
    {
        var h = await OperatorHarness.StartAsync(options with { SidecarMode = "native", RecheckInterval = TimeSpan.FromMilliseconds(500), Identity = "test" });
        try
        {
            await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "app-password");
            await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web", s =>
            {
                s.Backend = s.Backend! with { MaxConnections = maxConnections };
                s.Pool.Size = 10;
            }));
            var version = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
            var (_, replicaSet) = await h.CreateDeploymentAsync(Ns, "web", "web");
            return new BudgetScene(h, version, replicaSet);
        }
        catch
        {
            await h.DisposeAsync();
            throw;
        }
    }

    /// <summary>A pod of the Deployment on the pool's first version (its status written as a kubelet would).</summary>
    public Task<Pod> PodAsync(string name, bool ready = true, bool sidecarStarted = true) =>
        Harness.CreatePodAsync(Ns, name, "web", ReplicaSet, "orders", Version, ready: ready, sidecarStarted: sidecarStarted);
}
