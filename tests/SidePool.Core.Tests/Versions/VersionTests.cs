using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

/// <summary>
/// Issue 9, item 2: the version is derived from what the webhook injects (the pod contract), not from a hand-kept list:
/// whatever running pods captured at start cannot change without a new version, and nothing else makes one.
/// </summary>
public sealed class VersionTests
{
    private static readonly InjectionOptions Settings = new();

    private static RenderedPool Render(ConnectionPoolSpec spec, string user = TestPools.User, string password = TestPools.Password, string clientPassword = TestPools.ClientPassword, PoolKey? key = null, InjectionOptions? settings = null) =>
        TestPools.Render("orders-db", spec, settings ?? Settings, user, password, clientPassword, key);

    /// <summary>
    /// Everything the webhook adds to an empty pod for the pool (sidecar, volumes, env, mounts, grace period), and the
    /// values of the Secret keys its env refers to: the pod as its containers see it when they start.
    /// </summary>
    private static string Injected(ConnectionPoolSpec spec, RenderedPool rendered, InjectionOptions? settings = null)
    {
        var pool = new PoolInjection { Name = "orders-db", Spec = spec, CreationTimestamp = TestPools.Old, Rendered = rendered };
        var result = InjectionBuilder.Build(TestPools.Pod(), [pool], settings ?? Settings);
        // The version Secret's name and the stamps carry the version itself: compare what is left.
        var patch = result.Patch.ToJsonString().Replace(rendered.ShortVersion, "<v>", StringComparison.Ordinal);
        var resolved = rendered.Files.Where(f => patch.Contains($"\"key\":\"{f.Key}\"", StringComparison.Ordinal)).Select(f => $"{f.Key}={f.Value}");
        return patch + "\n" + string.Join("\n", resolved);
    }

    [Fact]
    public void The_version_is_full_sha256_stable_and_pinned()
    {
        var a = Render(TestPools.Spec());
        Assert.Matches("^[0-9a-f]{64}$", a.Version);
        Assert.Equal(a.Version, Render(TestPools.Spec()).Version);
        Assert.Equal(a.Version[..10], a.ShortVersion);

        // Pinned: a change here changes every running pool's version (and rolls every pod): do it on purpose only.
        Assert.Equal("42635c8603", a.ShortVersion);
    }

    public static TheoryData<string, Func<ConnectionPoolSpec, ConnectionPoolSpec>> SpecChanges => new()
    {
        { "port", s => s with { Sidecar = s.Sidecar with { Port = 7432 } } },
        { "image", s => s with { Sidecar = s.Sidecar with { Image = "example.com/pgbouncer:1.24" } } },
        { "clientAuth", s => s with { Sidecar = s.Sidecar with { ClientAuth = "scram" } } },
        { "unixSocket", s => s with { Sidecar = s.Sidecar with { UnixSocket = false } } },
        { "readiness", s => s with { Sidecar = s.Sidecar with { Readiness = "backend" } } },
        { "resources", s => s with { Sidecar = s.Sidecar with { Resources = new SidePool.Api.ResourceRequirements { Limits = new Dictionary<string, string> { ["memory"] = "64Mi" } } } } },
        { "pkt_buf", s => s with { Pool = s.Pool with { Parameters = new Dictionary<string, string> { ["pkt_buf"] = "8192" } } } },
        { "drainTimeout", s => s with { Rollout = s.Rollout with { DrainTimeout = "10m" } } },
        { "env url", s => s with { Injection = s.Injection with { Env = s.Injection.Env with { Url = "PG_URL" } } } },
        { "env directUrl", s => s with { Injection = s.Injection with { Env = s.Injection.Env with { DirectUrl = "DIRECT" } } } },
        { "env pgVars", s => s with { Injection = s.Injection with { Env = s.Injection.Env with { PgVars = false } } } },
        { "containers", s => s with { Injection = s.Injection with { Containers = ["web"] } } },
        { "database", s => s with { Backend = s.Backend! with { Database = "orders2" } } },
        { "size", s => s with { Pool = s.Pool with { Size = 20 } } },
        { "mode", s => s with { Pool = s.Pool with { Mode = "session" } } },
        { "timeout", s => s with { Pool = s.Pool with { AcquisitionTimeout = "2m" } } },
        { "idle transaction timeout", s => s with { Pool = s.Pool with { IdleTransactionTimeout = "30s" } } },
        { "client idle timeout", s => s with { Pool = s.Pool with { ClientIdleTimeout = "1h" } } },
        { "health check", s => s with { Pool = s.Pool with { HealthCheck = new HealthCheck { Query = "select 2" } } } },
        { "reloadable parameter", s => s with { Pool = s.Pool with { Parameters = new Dictionary<string, string> { ["query_timeout"] = "5" } } } },
        { "read-only host", s => s with { Backend = s.Backend! with { ReadOnlyHost = "ro.example" } } },
        { "backend host", s => s with { Backend = s.Backend! with { Host = "other.example" } } },
        { "tls mode", s => s with { Backend = s.Backend! with { Tls = new BackendTls { Mode = "disable" } } } },
    };

    /// <summary>
    /// The rule, checked change by change: a new version exactly when what the pod gets (container, env, mounts,
    /// grace period) or a start-only PgBouncer setting changes; anything else is a live reload (same version, new
    /// revision). No list of "fields that matter" exists to forget one.
    /// </summary>
    [Theory]
    [MemberData(nameof(SpecChanges))]
    public void A_change_is_a_new_version_exactly_when_the_injected_pod_or_a_start_only_setting_changes(string what, Func<ConnectionPoolSpec, ConnectionPoolSpec> change)
    {
        var beforeSpec = TestPools.Spec();
        var afterSpec = change(TestPools.Spec());
        var before = Render(beforeSpec);
        var after = Render(afterSpec);
        var podChanged = Injected(beforeSpec, before) != Injected(afterSpec, after);
        var startOnlyChanged = !before.RestartSettings.OrderBy(p => p.Key).SequenceEqual(after.RestartSettings.OrderBy(p => p.Key));

        Assert.True((before.Version != after.Version) == (podChanged || startOnlyChanged), $"{what}: version changed {before.Version != after.Version}, pod changed {podChanged}, start-only setting changed {startOnlyChanged}");
        Assert.NotEqual(before.ConfigRevision, after.ConfigRevision);
    }

    [Fact]
    public void A_username_change_is_a_new_version_because_apps_hold_it()
    {
        var spec = TestPools.Spec();
        var before = Render(spec, user: "app");
        var after = Render(spec, user: "app2");
        Assert.NotEqual(Injected(spec, before), Injected(spec, after)); // PGUSER, DATABASE_URL
        Assert.NotEqual(before.Version, after.Version);
    }

    [Fact]
    public void A_client_password_change_is_a_new_version_a_backend_password_or_key_change_is_not_without_a_direct_url()
    {
        var spec = TestPools.Spec(clientAuth: "scram");
        var before = Render(spec);
        Assert.NotEqual(before.Version, Render(spec, clientPassword: "another-client-password_0123456789abcdefgh").Version);

        var rotated = Render(spec, password: "rotated");
        Assert.Equal(before.Version, rotated.Version);
        Assert.NotEqual(before.ConfigRevision, rotated.ConfigRevision);
        Assert.Contains("password='rotated'", rotated.Files[VersionContract.Files.Ini], StringComparison.Ordinal);
        Assert.Equal(before.Files[VersionContract.Files.UserList], rotated.Files[VersionContract.Files.UserList]);

        var rekeyed = Render(spec, key: PoolKey.Generate());
        Assert.Equal(before.Version, rekeyed.Version);
        Assert.NotEqual(before.ConfigRevision, rekeyed.ConfigRevision);

        // A direct URL hands apps the backend password: then they hold it, and its rotation is a new version.
        spec.Injection.Env.DirectUrl = "DATABASE_URL_DIRECT";
        Assert.NotEqual(Render(spec).Version, Render(spec, password: "rotated").Version);
    }

    [Fact]
    public void Operator_settings_that_change_the_sidecar_are_new_versions()
    {
        var spec = TestPools.Spec();
        var before = Render(spec);
        foreach (var settings in new[]
        {
            Settings with { AgentPort = 9200 },
            Settings with { AgentShutdownTimeout = TimeSpan.FromSeconds(9) },
            Settings with { SidecarUserId = 1000 },
            Settings with { SidecarMode = SidecarModes.Classic },
        })
        {
            var after = Render(spec, settings: settings);
            Assert.NotEqual(Injected(spec, before), Injected(spec, after, settings));
            Assert.NotEqual(before.Version, after.Version);
        }
    }

    [Fact]
    public void Rebuilding_a_version_keeps_its_name_and_follows_the_backend_password()
    {
        var spec = TestPools.Spec();
        var v1 = Render(spec);
        var again = PoolVersionBuilder.Rebuild(v1.Version, "orders-db", spec, v1.Image, new PoolCredentials("renamed", "rotated"), new ClientCredentials(TestPools.User, TestPools.ClientPassword), TestPools.Key, SidecarModes.Native);

        Assert.Equal(v1.Version, again.Version);
        Assert.Contains("user=renamed password='rotated'", again.Files[VersionContract.Files.Ini], StringComparison.Ordinal);
        Assert.Equal(v1.Files[VersionContract.Files.UserList], again.Files[VersionContract.Files.UserList]); // what its apps log in with
        Assert.Equal(Injected(spec, v1), Injected(spec, again));
    }

    [Fact]
    public void Random_spec_variations_never_share_a_version_with_a_different_pod()
    {
        // Pairs of random specs: equal versions must mean equal injected pods, and different pods different versions.
        var random = new Random(20261202);
        var rendered = new Dictionary<string, string>();
        for (var i = 0; i < 300; i++)
        {
            var spec = TestPools.Spec(port: random.Next(2) == 0 ? 6432 : 6433, clientAuth: random.Next(2) == 0 ? "trust" : "scram", drainTimeout: random.Next(2) == 0 ? "5m" : "1m", unixSocket: random.Next(2) == 0);
            spec.Injection.Env.PgVars = random.Next(2) == 0;
            spec.Injection.Env.DirectUrl = random.Next(2) == 0 ? "" : "DIRECT";
            spec.Pool.Size = random.Next(1, 4);
            var user = random.Next(2) == 0 ? "app" : "app2";
            var version = Render(spec, user: user);
            var pod = Injected(spec, version);
            if (rendered.TryGetValue(version.Version, out var seen))
            {
                Assert.Equal(seen, pod);
            }

            rendered[version.Version] = pod;
        }

        var shared = rendered.GroupBy(r => r.Value).Where(g => g.Count() > 1).Select(g => string.Join(" / ", g.Select(x => x.Key[..10]))).ToList();
        Assert.True(shared.Count == 0, "versions with the same pod: " + string.Join("; ", shared));
        Assert.True(rendered.Count > 40, $"only {rendered.Count} distinct versions");
    }
}
