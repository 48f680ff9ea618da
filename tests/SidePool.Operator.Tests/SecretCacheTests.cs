using System.Text.Json.Nodes;
using SidePool.Operator.Tests.Support;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>Issue 9, item 9: the operator caches the Secrets it owns and those pools reference, no others.</summary>
public sealed class SecretCacheTests
{
    private const string Ns = "default";

    [Fact]
    public async Task Unrelated_secrets_are_never_cached_and_a_newly_referenced_one_is_picked_up()
    {
        await using var h = await OperatorHarness.StartAsync(startController: false);
        var payload = new byte[50 * 1024];
        Random.Shared.NextBytes(payload);
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await h.Secrets.CreateAsync(new Secret
            {
                Metadata = new ObjectMeta { Name = $"unrelated-{i}", NamespaceProperty = Ns },
                Data = new Dictionary<string, byte[]> { ["blob"] = payload },
            }, cancellationToken: ct));
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web"));
        h.StartController();

        await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1");
        var sizes = h.Controller!.CacheSizes;
        Assert.Equal(4, sizes["secrets"]); // orders-key, orders-client, orders-<v1>, orders-creds

        // A pool starts referencing another Secret: it is watched from then on (and only it).
        await h.CreateCredentialsAsync(Ns, "orders-creds-2", "app", "pw2");
        await h.PatchPoolAsync(Ns, "orders", new JsonObject { ["backend"] = new JsonObject { ["credentialsSecret"] = new JsonObject { ["name"] = "orders-creds-2" } } });
        await OperatorHarness.EventuallyAsync(() => CurrentIniAsync(h), ini => ini.Contains("password='pw2'", StringComparison.Ordinal), what: "the new credentials reach the version");
        Assert.Equal(4, h.Controller.CacheSizes["secrets"]); // orders-creds is no longer watched

        // Rotation of the referenced Secret is seen through its own watch.
        await h.SetPasswordAsync(Ns, "orders-creds-2", "pw3");
        await OperatorHarness.EventuallyAsync(() => CurrentIniAsync(h), ini => ini.Contains("password='pw3'", StringComparison.Ordinal), what: "rotation seen");
    }

    private static async Task<string> CurrentIniAsync(OperatorHarness h)
    {
        var version = (await h.Pools.GetAsync("orders", Ns)).Status!.CurrentVersion;
        return System.Text.Encoding.UTF8.GetString((await h.Secrets.GetAsync("orders-" + version, Ns)).Data!["pgbouncer.ini"]);
    }
}
