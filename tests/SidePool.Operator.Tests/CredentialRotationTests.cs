using System.Text;
using System.Text.Json.Nodes;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Operator.Tests.Support;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>
/// Issue 9, item 3: apps log in with their own client password; the backend password reaches every version still in
/// use (current and draining) by a rewrite in place, never a new version.
/// </summary>
public sealed class CredentialRotationTests
{
    private const string Ns = "default";

    private static async Task<string> FileAsync(OperatorHarness h, string secret, string file) =>
        Encoding.UTF8.GetString((await h.Secrets.GetAsync(secret, Ns)).Data![file]);

    [Fact]
    public async Task Backend_rotation_rewrites_current_and_draining_versions_and_apps_keep_their_client_password()
    {
        await using var h = await OperatorHarness.StartAsync();
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "first-password");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web", s => s.Sidecar.ClientAuth = "scram"));
        var v1 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
        var (_, rs1) = await h.CreateDeploymentAsync(Ns, "web", "web");
        await h.CreatePodAsync(Ns, "web-1-a", "web", rs1, "orders", v1);

        // v2 while v1 still has a pod: v1 drains.
        await h.PatchPoolAsync(Ns, "orders", new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 7432 } });
        var v2 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is { } c && c != v1 && p.Status.Versions!.Any(v => v.Version == v1 && v.State == "Draining"), "v2, v1 draining")).Status!.CurrentVersion!;

        // What the apps of each version log in with: the client password, not the backend one.
        var client1 = await FileAsync(h, "orders-" + v1, "client-password");
        var client2 = await FileAsync(h, "orders-" + v2, "client-password");
        Assert.Equal(client1, client2);
        Assert.NotEqual("first-password", client1);
        Assert.Contains($"\"app\" \"{client1}\"", await FileAsync(h, "orders-" + v1, "userlist.txt"), StringComparison.Ordinal);

        await h.SetPasswordAsync(Ns, "orders-creds", "second-password");
        foreach (var version in new[] { v1, v2 })
        {
            await OperatorHarness.EventuallyAsync(
                () => FileAsync(h, "orders-" + version, "pgbouncer.ini"),
                ini => ini.Contains("password='second-password'", StringComparison.Ordinal),
                what: $"rotated backend password in version {version}");
            Assert.Equal(client1, await FileAsync(h, "orders-" + version, "client-password"));
            Assert.DoesNotContain("second-password", await FileAsync(h, "orders-" + version, "userlist.txt"), StringComparison.Ordinal);
        }

        var pool = await h.Pools.GetAsync("orders", Ns);
        Assert.Equal(v2, pool.Status!.CurrentVersion);
        Assert.Equal(2, pool.Status.Versions!.Count(v => v.State is "Current" or "Draining"));
    }

    [Fact]
    public async Task A_username_change_is_a_new_version_and_the_draining_one_keeps_its_client_user()
    {
        await using var h = await OperatorHarness.StartAsync();
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web"));
        var v1 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
        var (_, rs1) = await h.CreateDeploymentAsync(Ns, "web", "web");
        await h.CreatePodAsync(Ns, "web-1-a", "web", rs1, "orders", v1);

        await h.Secrets.PatchAsync("orders-creds", Ns, Kubernetes.Client.KubernetesPatch.Merge(new JsonObject { ["data"] = new JsonObject { ["username"] = Convert.ToBase64String("app2"u8.ToArray()) } }));
        var v2 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is { } c && c != v1, "new version after the username change", TimeSpan.FromSeconds(30))).Status!.CurrentVersion!;
        await OperatorHarness.EventuallyAsync(() => h.Deployments.GetAsync("web", Ns), d => d.Spec!.Template.Metadata!.Annotations?.GetValueOrDefault("sidepool.dev/version-orders") == v2, what: "stamp");

        // v1's pods still log in as app; their sidecar now logs in to the server as app2.
        var v1Files = await OperatorHarness.EventuallyAsync(() => FileAsync(h, "orders-" + v1, "pgbouncer.ini"), ini => ini.Contains("user=app2 ", StringComparison.Ordinal), what: "v1 follows the backend user");
        Assert.Contains("\"app\" ", await FileAsync(h, "orders-" + v1, "userlist.txt"), StringComparison.Ordinal);
        Assert.Contains("\"app2\" ", await FileAsync(h, "orders-" + v2, "userlist.txt"), StringComparison.Ordinal);
        Assert.Contains("user=app2 ", v1Files, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_the_client_secret_rotates_the_client_password_as_a_new_version()
    {
        await using var h = await OperatorHarness.StartAsync();
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web", s => s.Sidecar.ClientAuth = "scram"));
        var v1 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
        var before = await FileAsync(h, "orders-" + v1, "client-password");

        await h.Secrets.DeleteAsync(VersionContract.Secrets.Client("orders"), Ns);
        var v2 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is { } c && c != v1, "v2 after rotation")).Status!.CurrentVersion!;
        var after = await FileAsync(h, "orders-" + v2, "client-password");
        Assert.NotEqual(before, after);
        Assert.Equal(after, Encoding.UTF8.GetString((await h.Secrets.GetAsync(VersionContract.Secrets.Client("orders"), Ns)).Data!["password"]));
    }
}
