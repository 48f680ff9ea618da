using SidePool.Operator.Controller;
using SidePool.Operator.Tests.Support;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary><c>--namespace a --namespace b</c>: pools in both are reconciled and served to the webhook; a third is not seen.</summary>
public sealed class WatchedNamespacesTests
{
    [Fact]
    public async Task Pools_in_each_watched_namespace_are_published_and_a_pool_elsewhere_is_left_alone()
    {
        await using var h = await OperatorHarness.StartAsync(new PoolControllerOptions { SidecarMode = "native", Namespaces = ["shop", "billing"] });
        foreach (var ns in new[] { "shop", "billing", "elsewhere" })
        {
            await h.CreateNamespaceAsync(ns);
            await h.CreateCredentialsAsync(ns, "orders-creds", "app", "pw-" + ns);
            await h.Pools.CreateAsync(OperatorHarness.Pool(ns, "orders", "web"));
        }

        var shop = await h.PoolWhenAsync("shop", "orders", p => p.Status?.CurrentVersion is not null, "shop published");
        var billing = await h.PoolWhenAsync("billing", "orders", p => p.Status?.CurrentVersion is not null, "billing published");
        Assert.NotEmpty(await h.PoolSecretsAsync("shop", "orders"));
        Assert.NotEmpty(await h.PoolSecretsAsync("billing", "orders"));

        // The webhook's source offers each watched namespace its pool with its published version, and nothing elsewhere.
        var source = new PublishedPoolSource(h.Client, h.Settings, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        await source.StartAsync(stop.Token);
        Assert.NotNull(Assert.Single(await source.GetPoolsAsync("shop", null, stop.Token)).Rendered);
        Assert.Equal(billing.Status!.CurrentVersion, Assert.Single(await source.GetPoolsAsync("billing", null, stop.Token)).Pool.Status!.CurrentVersion);
        Assert.Empty(await source.GetPoolsAsync("elsewhere", null, stop.Token));
        await source.StopAsync(CancellationToken.None);

        // By the time both watched pools are published, the controller has long seen the third if it could: it has no
        // status, finalizer or Secret.
        var other = await h.Pools.GetAsync("orders", "elsewhere");
        Assert.Null(other.Status);
        Assert.Null(other.Metadata.Finalizers);
        Assert.Empty(await h.PoolSecretsAsync("elsewhere", "orders"));
        Assert.NotEqual(shop.Metadata.Uid, billing.Metadata.Uid);
    }
}
