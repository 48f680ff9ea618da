using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Testing;
using Xunit;

namespace SidePool.Core.Tests;

/// <summary>Issue 9, items 6-8: port clashes, env of several pools, env literals and the CA of a verified direct URL.</summary>
public sealed class InjectionSafetyTests
{
    private static readonly OpenApiSchemaValidator Schema = new(Reference.OpenApiDirectory);
    private static readonly InjectionOptions Settings = new();

    private static JsonObject Inject(JsonObject pod, IReadOnlyList<PoolInjection> pools, out InjectionResult result)
    {
        result = InjectionBuilder.Build(pod, pools, Settings);
        var patched = JsonPatchApplier.Apply(pod, result.Patch);
        var errors = Schema.Validate(patched.ToJsonString(), "io.k8s.api.core.v1.Pod");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return patched;
    }

    private static JsonObject Web(JsonObject pod) => (JsonObject)((JsonArray)pod["spec"]!["containers"]!)[0]!;

    private static Dictionary<string, JsonObject> Env(JsonObject container) =>
        ((JsonArray?)container["env"] ?? []).Cast<JsonObject>().ToDictionary(e => e["name"]!.GetValue<string>());

    [Theory]
    [InlineData("containerPort", false)]
    [InlineData("hostPort", false)]
    [InlineData("containerPort", true)]
    public void A_pod_declaring_the_sidecar_port_gets_no_sidecar_and_a_warning(string field, bool hostNetwork)
    {
        var pod = TestPools.Pod(hostNetwork ? "\"hostNetwork\": true," : null);
        var port = new JsonObject { ["containerPort"] = 6432 };
        if (field == "hostPort")
        {
            port = new JsonObject { ["containerPort"] = 8443, ["hostPort"] = 6432 };
        }

        Web(pod)["ports"] = new JsonArray(port);
        var pool = TestPools.Pool("orders-db", TestPools.Spec(clientAuth: "scram"));
        var patched = Inject(pod, [pool], out var result);

        Assert.Equal(PoolInjectionStatus.PortInUse, Assert.Single(result.Missing).Status);
        Assert.Empty(result.Patch);
        Assert.Null(patched["spec"]!["initContainers"]);
        Assert.Equal([new PortConflict("orders-db", "container web", 6432)], result.Conflicts);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("port 6432", warning, StringComparison.Ordinal);
        Assert.Contains(field, warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pod_port_that_is_not_the_sidecar_port_only_moves_the_agent_port()
    {
        var pod = TestPools.Pod();
        Web(pod)["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 9127 });
        var patched = Inject(pod, [TestPools.Pool("orders-db")], out var result);

        Assert.Equal(PoolInjectionStatus.Injected, Assert.Single(result.Pools).Status);
        Assert.Equal(9128, patched["spec"]!["initContainers"]![0]!["ports"]![0]!["containerPort"]!.GetValue<int>());
    }

    [Fact]
    public void Two_pools_never_mix_their_variables_in_one_container()
    {
        // The younger pool asks for PGPASSWORD (scram); the older one set PGHOST/PGPORT: the younger's set stays out whole.
        var older = TestPools.Pool("a-pool", TestPools.Spec(port: 6432), TestPools.Old);
        var younger = TestPools.Pool("b-pool", TestPools.Spec(port: 7432, clientAuth: "scram"), TestPools.Old.AddDays(1));
        foreach (var order in new[] { new[] { older, younger }, new[] { younger, older } })
        {
            var env = Env(Web(Inject(TestPools.Pod(), order, out var result)));
            Assert.Equal("6432", env["PGPORT"]["value"]!.GetValue<string>());
            Assert.False(env.ContainsKey("PGPASSWORD"), "PGPASSWORD of b-pool next to PGHOST of a-pool");
            Assert.Equal(["DATABASE_URL", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER"], env.Keys);
            Assert.Contains(result.Warnings, w => w.Contains("pool b-pool", StringComparison.Ordinal) && w.Contains("set together or not at all", StringComparison.Ordinal));
            Assert.All(result.Pools, p => Assert.Equal(PoolInjectionStatus.Injected, p.Status)); // both sidecars run
        }

        // With distinct names the younger pool's set goes in whole.
        var distinct = TestPools.Spec(port: 7432, clientAuth: "scram");
        distinct.Injection.Env.Url = "REPORTS_URL";
        distinct.Injection.Env.PgVars = false;
        var both = Env(Web(Inject(TestPools.Pod(), [older, TestPools.Pool("b-pool", distinct, TestPools.Old.AddDays(1))], out _)));
        Assert.Equal("6432", both["PGPORT"]["value"]!.GetValue<string>());
        Assert.NotNull(both["REPORTS_URL"]["valueFrom"]);
        Assert.False(both.ContainsKey("PGPASSWORD"));
    }

    [Fact]
    public void Dollar_signs_in_literal_values_are_escaped_for_kubernetes_expansion()
    {
        var spec = TestPools.Spec();
        var pool = TestPools.Pool("orders-db", spec) with { Rendered = TestPools.Render("orders-db", spec, user: "app$x$$y") };
        var env = Env(Web(Inject(TestPools.Pod(), [pool], out _)));

        // Kubernetes turns $$ into $ and leaves the rest: the app sees its user name exactly.
        Assert.Equal("app$$x$$$$y", env["PGUSER"]["value"]!.GetValue<string>());
        Assert.Equal("postgresql://app%24x%24%24y@127.0.0.1:6432/orders", env["DATABASE_URL"]["value"]!.GetValue<string>());
        Assert.Equal("app$x$$y", KubernetesExpand(env["PGUSER"]["value"]!.GetValue<string>()));
    }

    [Fact]
    public void A_verified_direct_url_names_the_ca_mounted_into_the_app_containers()
    {
        const string ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        var spec = TestPools.Spec();
        spec.Backend!.Tls = new BackendTls { Mode = "verify-full", CaSecret = new SecretKeyRef { Name = "pg-ca" } };
        spec.Injection.Env.DirectUrl = "DATABASE_URL_DIRECT";
        var pool = TestPools.Pool("orders-db", spec) with { Rendered = TestPools.Render("orders-db", spec, ca: ca) };
        var patched = Inject(TestPools.Pod(), [pool], out _);

        var url = pool.Rendered.Files[VersionContract.Files.DirectUrl];
        Assert.EndsWith("?sslmode=verify-full&sslrootcert=%2Fetc%2Fsidepool%2Forders-db-ca%2Fca.crt", url, StringComparison.Ordinal);
        var mounts = ((JsonArray)Web(patched)["volumeMounts"]!).Cast<JsonObject>().ToDictionary(m => m["name"]!.GetValue<string>());
        Assert.Equal("/etc/sidepool/orders-db-ca", mounts["sidepool-orders-db-ca"]["mountPath"]!.GetValue<string>());
        var volume = ((JsonArray)patched["spec"]!["volumes"]!).Cast<JsonObject>().Single(v => v["name"]!.GetValue<string>() == "sidepool-orders-db-ca");
        Assert.Equal($"orders-db-{pool.Rendered.ShortVersion}", volume["secret"]!["secretName"]!.GetValue<string>());
        Assert.Equal("ca.crt", volume["secret"]!["items"]![0]!["path"]!.GetValue<string>());
        Assert.Equal(VersionContract.Files.ServerCa, volume["secret"]!["items"]![0]!["key"]!.GetValue<string>());
        Assert.Equal(ca, pool.Rendered.Files[VersionContract.Files.ServerCa]);

        // Without verification there is nothing to mount.
        var require = TestPools.Spec();
        require.Injection.Env.DirectUrl = "DATABASE_URL_DIRECT";
        var plain = Inject(TestPools.Pod(), [TestPools.Pool("orders-db", require)], out _);
        Assert.DoesNotContain("sidepool-orders-db-ca", plain.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>Kubernetes' env expansion: $(VAR) of defined variables is replaced (none here), $$ becomes $.</summary>
    private static string KubernetesExpand(string value) => value.Replace("$$", "$", StringComparison.Ordinal);
}
