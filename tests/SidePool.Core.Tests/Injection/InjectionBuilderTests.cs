using System.Text.Json.Nodes;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Testing;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class InjectionBuilderTests
{
    private static readonly OpenApiSchemaValidator Schema = new(Reference.OpenApiDirectory);
    private static readonly InjectionOptions Native = new();
    private static readonly InjectionOptions Classic = new() { SidecarMode = SidecarModes.Classic };

    private static JsonObject Inject(JsonObject pod, IReadOnlyList<PoolInjection> pools, InjectionOptions settings, out InjectionResult result)
    {
        result = InjectionBuilder.Build(pod, pools, settings);
        var patched = JsonPatchApplier.Apply(pod, result.Patch);
        var errors = Schema.Validate(patched.ToJsonString(), "io.k8s.api.core.v1.Pod");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        foreach (var secret in new[] { TestPools.Password, TestPools.ClientPassword })
        {
            Assert.DoesNotContain(secret, result.Patch.ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain(result.Warnings, w => w.Contains(secret, StringComparison.Ordinal));
        }

        return patched;
    }

    private static JsonObject Container(JsonObject pod, string array, string name) =>
        (JsonObject)((JsonArray)pod["spec"]![array]!).Single(c => c!["name"]!.GetValue<string>() == name)!;

    private static Dictionary<string, JsonObject> Env(JsonObject container) =>
        ((JsonArray?)container["env"] ?? []).Cast<JsonObject>().ToDictionary(e => e["name"]!.GetValue<string>());

    private static List<string> Args(JsonObject container) => ((JsonArray)container["args"]!).Select(a => a!.GetValue<string>()).ToList();

    [Fact]
    public void Native_mode_prepends_an_init_container_with_restart_policy_always_and_probes()
    {
        var pool = TestPools.Pool("orders-db");
        var pod = Inject(TestPools.Pod(), [pool], Native, out var result);

        Assert.Equal([new PoolOutcome("orders-db", PoolInjectionStatus.Injected, pool.Rendered.ShortVersion)], result.Pools);
        var sidecar = (JsonObject)((JsonArray)pod["spec"]!["initContainers"]!)[0]!;
        Assert.Equal("sidepool-orders-db", sidecar["name"]!.GetValue<string>());
        Assert.Equal("Always", sidecar["restartPolicy"]!.GetValue<string>());
        Assert.Equal(pool.Rendered.Image, sidecar["image"]!.GetValue<string>());
        Assert.Equal("/startupz", sidecar["startupProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("/readyz", sidecar["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("/healthz", sidecar["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal(9127, sidecar["readinessProbe"]!["httpGet"]!["port"]!.GetValue<int>());
        Assert.Null(sidecar["lifecycle"]);
        Assert.Equal(
            ["--config-dir", "/etc/sidepool/orders-db", "--runtime-dir", "/var/lib/sidepool", "--drain-mode", "native", "--drain-timeout", "300s", "--shutdown-timeout", "5s", "--readiness", "pooler", "--http-port", "9127"],
            Args(sidecar));
        Assert.Equal(2, ((JsonArray)pod["spec"]!["containers"]!).Count);

        var security = sidecar["securityContext"]!;
        Assert.True(security["runAsNonRoot"]!.GetValue<bool>());
        Assert.Equal(65532, security["runAsUser"]!.GetValue<long>());
        Assert.Equal(65532, security["runAsGroup"]!.GetValue<long>());
        Assert.True(security["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.False(security["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.Equal("ALL", security["capabilities"]!["drop"]![0]!.GetValue<string>());
        Assert.Equal("RuntimeDefault", security["seccompProfile"]!["type"]!.GetValue<string>());
        Assert.Equal("50m", sidecar["resources"]!["requests"]!["cpu"]!.GetValue<string>());
        Assert.Equal("128Mi", sidecar["resources"]!["limits"]!["memory"]!.GetValue<string>());
    }

    [Fact]
    public void Classic_mode_appends_a_container_draining_in_classic_mode()
    {
        var pod = Inject(TestPools.Pod(), [TestPools.Pool("orders-db", settings: Classic)], Classic, out _);

        Assert.Null(pod["spec"]!["initContainers"]);
        var containers = (JsonArray)pod["spec"]!["containers"]!;
        Assert.Equal(["web", "worker", "sidepool-orders-db"], containers.Select(c => c!["name"]!.GetValue<string>()));
        var sidecar = (JsonObject)containers[2]!;
        Assert.Null(sidecar["restartPolicy"]);
        var args = Args(sidecar);
        Assert.Equal("classic", args[args.IndexOf("--drain-mode") + 1]);
        Assert.NotNull(sidecar["startupProbe"]);
    }

    [Fact]
    public void Each_pool_uses_the_sidecar_mode_its_version_was_rendered_with()
    {
        var classic = TestPools.Pool("orders-db", settings: Classic) with { SidecarMode = SidecarModes.Classic };
        var native = TestPools.Pool("reports-db", TestPools.Spec(port: 6433));
        var pod = Inject(TestPools.Pod(), [classic, native], Native, out _);

        Assert.Equal(["sidepool-reports-db"], ((JsonArray)pod["spec"]!["initContainers"]!).Select(c => c!["name"]!.GetValue<string>()));
        var sidecar = Container(pod, "containers", "sidepool-orders-db");
        Assert.Equal("classic", Args(sidecar)[Args(sidecar).IndexOf("--drain-mode") + 1]);
        Assert.Throws<ArgumentException>(() => InjectionBuilder.Build(TestPools.Pod(), [native with { SidecarMode = "auto" }], Native));
    }

    [Fact]
    public void Volumes_mount_the_version_secret_read_only_and_share_the_socket_at_the_rendered_paths()
    {
        var pool = TestPools.Pool("orders-db");
        var pod = Inject(TestPools.Pod(), [pool], Native, out _);

        var volumes = ((JsonArray)pod["spec"]!["volumes"]!).Cast<JsonObject>().ToDictionary(v => v["name"]!.GetValue<string>());
        Assert.Equal($"orders-db-{pool.Rendered.ShortVersion}", volumes["sidepool-orders-db-config"]["secret"]!["secretName"]!.GetValue<string>());
        Assert.NotNull(volumes["sidepool-orders-db-socket"]["emptyDir"]);
        Assert.Equal("Memory", volumes["sidepool-orders-db-state"]["emptyDir"]!["medium"]!.GetValue<string>());

        var ini = pool.Rendered.Files[VersionContract.Files.Ini];
        var sidecar = Container(pod, "initContainers", "sidepool-orders-db");
        var mounts = ((JsonArray)sidecar["volumeMounts"]!).Cast<JsonObject>().ToDictionary(m => m["name"]!.GetValue<string>());
        var configDir = mounts["sidepool-orders-db-config"]["mountPath"]!.GetValue<string>();
        var socketDir = mounts["sidepool-orders-db-socket"]["mountPath"]!.GetValue<string>();
        Assert.True(mounts["sidepool-orders-db-config"]["readOnly"]!.GetValue<bool>());
        Assert.Equal("/var/lib/sidepool", mounts["sidepool-orders-db-state"]["mountPath"]!.GetValue<string>());
        Assert.Contains($"auth_file = {configDir}/userlist.txt", ini, StringComparison.Ordinal);
        Assert.Contains($"unix_socket_dir = {socketDir}", ini, StringComparison.Ordinal);

        foreach (var app in new[] { "web", "worker" })
        {
            var appMounts = (JsonArray)Container(pod, "containers", app)["volumeMounts"]!;
            var mount = Assert.Single(appMounts);
            Assert.Equal(socketDir, mount!["mountPath"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Without_unix_socket_the_socket_volume_stays_private_to_the_sidecar()
    {
        var pod = Inject(TestPools.Pod(), [TestPools.Pool("orders-db", TestPools.Spec(unixSocket: false))], Native, out _);

        Assert.Null(Container(pod, "containers", "web")["volumeMounts"]);
        Assert.Equal(3, ((JsonArray)Container(pod, "initContainers", "sidepool-orders-db")["volumeMounts"]!).Count);
    }

    [Fact]
    public void Trust_pools_give_app_containers_a_url_without_password_and_no_password_variable()
    {
        var pod = Inject(TestPools.Pod(), [TestPools.Pool("orders-db")], Native, out _);

        var env = Env(Container(pod, "containers", "web"));
        Assert.Equal("postgresql://orders_app@127.0.0.1:6432/orders", env["DATABASE_URL"]["value"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", env["PGHOST"]["value"]!.GetValue<string>());
        Assert.Equal("6432", env["PGPORT"]["value"]!.GetValue<string>());
        Assert.Equal("orders", env["PGDATABASE"]["value"]!.GetValue<string>());
        Assert.Equal("orders_app", env["PGUSER"]["value"]!.GetValue<string>());

        // The password variables come only when the pool asks for them (clientAuth scram, a direct URL).
        Assert.Equal(["DATABASE_URL", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER"], env.Keys);

        // The worker keeps its own env first.
        var worker = ((JsonArray)Container(pod, "containers", "worker")["env"]!).Select(e => e!["name"]!.GetValue<string>()).ToList();
        Assert.Equal("MODE", worker[0]);
        Assert.Contains("DATABASE_URL", worker);
    }

    [Fact]
    public void Scram_pools_give_apps_the_client_password_from_the_version_secret_never_the_backend_one()
    {
        var pool = TestPools.Pool("orders-db", TestPools.Spec(clientAuth: "scram"));
        var pod = Inject(TestPools.Pod(), [pool], Native, out _);

        var env = Env(Container(pod, "containers", "web"));
        var versionSecret = $"orders-db-{pool.Rendered.ShortVersion}";
        Assert.Equal((versionSecret, VersionContract.Files.DatabaseUrl), SecretRef(env["DATABASE_URL"]));
        Assert.Equal((versionSecret, VersionContract.Files.ClientPassword), SecretRef(env["PGPASSWORD"]));
        Assert.Null(env["PGPASSWORD"]["value"]);
        Assert.DoesNotContain("orders-db-app", pod.ToJsonString(), StringComparison.Ordinal); // the credentials Secret: not the apps' business

        // What the references resolve to: the client password, URL-safe, in a URL to the sidecar.
        Assert.Equal(TestPools.ClientPassword, pool.Rendered.Files[VersionContract.Files.ClientPassword]);
        Assert.Equal($"postgresql://orders_app:{TestPools.ClientPassword}@127.0.0.1:6432/orders", pool.Rendered.Files[VersionContract.Files.DatabaseUrl]);
    }

    [Fact]
    public void A_direct_url_is_opt_in_and_url_encodes_the_backend_credentials()
    {
        var spec = TestPools.Spec();
        spec.Injection.Env.DirectUrl = "DATABASE_URL_DIRECT";
        var pool = TestPools.Pool("orders-db", spec) with { Rendered = TestPools.Render("orders-db", spec, password: "p@ss:w/rd?#%") };
        var env = Env(Container(Inject(TestPools.Pod(), [pool], Native, out _), "containers", "web"));

        Assert.Equal(($"orders-db-{pool.Rendered.ShortVersion}", VersionContract.Files.DirectUrl), SecretRef(env["DATABASE_URL_DIRECT"]));
        Assert.Equal("postgresql://orders_app:p%40ss%3Aw%2Frd%3F%23%25@orders-db.shop.svc:5432/orders?sslmode=require", pool.Rendered.Files[VersionContract.Files.DirectUrl]);
        Assert.False(TestPools.Pool("orders-db").Rendered.Files.ContainsKey(VersionContract.Files.DirectUrl));
    }

    private static (string Name, string Key) SecretRef(JsonObject variable) =>
        (variable["valueFrom"]!["secretKeyRef"]!["name"]!.GetValue<string>(), variable["valueFrom"]!["secretKeyRef"]!["key"]!.GetValue<string>());

    [Fact]
    public void Env_the_user_already_set_is_kept_and_reported()
    {
        var pod = TestPools.Pod();
        ((JsonObject)pod["spec"]!["containers"]![0]!)["env"] = new JsonArray(new JsonObject { ["name"] = "DATABASE_URL", ["value"] = "postgresql://mine" });
        var patched = Inject(pod, [TestPools.Pool("orders-db")], Native, out var result);

        var env = ((JsonArray)Container(patched, "containers", "web")["env"]!).Cast<JsonObject>().ToList();
        Assert.Single(env, e => e["name"]!.GetValue<string>() == "DATABASE_URL");
        Assert.Equal("postgresql://mine", env[0]["value"]!.GetValue<string>());
        Assert.Contains(result.Warnings, w => w.Contains("web", StringComparison.Ordinal) && w.Contains("DATABASE_URL", StringComparison.Ordinal));
        Assert.Contains(env, e => e["name"]!.GetValue<string>() == "PGHOST");
    }

    [Fact]
    public void Injection_containers_select_app_containers_including_named_init_containers()
    {
        var spec = TestPools.Spec();
        spec.Injection.Containers = ["worker", "migrate", "ghost"];
        spec.Injection.Env.DirectUrl = "DATABASE_URL_DIRECT";
        var pod = TestPools.Pod("""
            "initContainers": [ { "name": "migrate", "image": "shop/migrate:1" } ],
            """);
        var patched = Inject(pod, [TestPools.Pool("orders-db", spec)], Native, out var result);

        Assert.Null(Container(patched, "containers", "web")["env"]);
        Assert.Contains("DATABASE_URL", Env(Container(patched, "containers", "worker")).Keys);
        Assert.Contains("DATABASE_URL_DIRECT", Env(Container(patched, "initContainers", "migrate")).Keys);
        Assert.Contains(result.Warnings, w => w.Contains("ghost", StringComparison.Ordinal));

        // The sidecar goes first, so the migration can use the pooler.
        var order = ((JsonArray)patched["spec"]!["initContainers"]!).Select(c => c!["name"]!.GetValue<string>());
        Assert.Equal(["sidepool-orders-db", "migrate"], order);
    }

    [Theory]
    [InlineData("5m", null, 310L)]
    [InlineData("5m", 600L, null)]
    [InlineData("10s", null, null)]
    [InlineData("21s", 30L, 31L)]
    public void Grace_period_is_raised_to_cover_the_drain_but_never_lowered(string drain, long? podGrace, long? expected)
    {
        var pod = TestPools.Pod(podGrace is null ? null : $"\"terminationGracePeriodSeconds\": {podGrace},");
        var patched = Inject(pod, [TestPools.Pool("orders-db", TestPools.Spec(drainTimeout: drain))], Native, out var result);

        var grace = patched["spec"]!["terminationGracePeriodSeconds"]?.GetValue<long>();
        Assert.Equal(expected ?? podGrace, grace);
        Assert.Equal(expected is not null, result.Patch.Any(op => op!["path"]!.GetValue<string>() == "/spec/terminationGracePeriodSeconds"));
    }

    [Fact]
    public void Pod_is_stamped_with_a_label_per_pool_and_the_injected_annotation()
    {
        var a = TestPools.Pool("orders-db");
        var b = TestPools.Pool("reports-db", TestPools.Spec(port: 6433), TestPools.Old.AddDays(1));
        var pod = Inject(TestPools.Pod(), [a, b], Native, out _);

        var labels = pod["metadata"]!["labels"]!;
        Assert.Equal("orders", labels["app"]!.GetValue<string>());
        Assert.Equal(a.Rendered.ShortVersion, labels["pools.sidepool.dev/orders-db"]!.GetValue<string>());
        Assert.Equal(b.Rendered.ShortVersion, labels[VersionContract.Labels.PodPool("reports-db")]!.GetValue<string>());
        var annotation = pod["metadata"]!["annotations"]![VersionContract.Annotations.Injected]!.GetValue<string>();
        Assert.Equal($"orders-db={a.Rendered.ShortVersion},reports-db={b.Rendered.ShortVersion}", annotation);
        Assert.Equal(a.Rendered.ShortVersion, VersionContract.Annotations.ParseInjected(annotation)["orders-db"]);
    }

    [Fact]
    public void Stamps_are_added_next_to_existing_annotations_and_created_without_labels()
    {
        var pod = TestPools.Pod();
        var metadata = (JsonObject)pod["metadata"]!;
        metadata.Remove("labels");
        metadata["annotations"] = new JsonObject { ["team"] = "shop", [VersionContract.Annotations.Injected] = "legacy=0123456789" };
        var patched = Inject(pod, [TestPools.Pool("orders-db")], Native, out _);

        Assert.Equal("shop", patched["metadata"]!["annotations"]!["team"]!.GetValue<string>());
        Assert.StartsWith("legacy=0123456789,orders-db=", patched["metadata"]!["annotations"]![VersionContract.Annotations.Injected]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(patched["metadata"]!["labels"]!["pools.sidepool.dev/orders-db"]);
    }

    [Fact]
    public void A_pod_that_already_has_the_sidecar_gets_no_operations()
    {
        var pools = new[] { TestPools.Pool("orders-db"), TestPools.Pool("reports-db", TestPools.Spec(port: 6433)) };
        var once = Inject(TestPools.Pod(), pools, Native, out _);
        var twice = InjectionBuilder.Build(once, pools, Native);

        Assert.Empty(twice.Patch);
        Assert.False(twice.HasChanges);
        Assert.All(twice.Pools, p => Assert.Equal(PoolInjectionStatus.AlreadyInjected, p.Status));
    }

    [Fact]
    public void Several_pools_get_one_sidecar_each_with_distinct_agent_ports()
    {
        var pools = new[]
        {
            TestPools.Pool("orders-db"),
            TestPools.Pool("reports-db", TestPools.Spec(port: 6433, clientAuth: "scram"), TestPools.Old.AddHours(1)),
        };
        var pod = TestPools.Pod();
        ((JsonObject)pod["spec"]!["containers"]![0]!)["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 9128 });
        var patched = Inject(pod, pools, Native, out var result);

        Assert.All(result.Pools, p => Assert.Equal(PoolInjectionStatus.Injected, p.Status));
        var sidecars = ((JsonArray)patched["spec"]!["initContainers"]!).Cast<JsonObject>().ToList();
        Assert.Equal(["sidepool-orders-db", "sidepool-reports-db"], sidecars.Select(s => s["name"]!.GetValue<string>()));
        var ports = sidecars.Select(s => s["ports"]![0]!["containerPort"]!.GetValue<int>()).ToList();
        Assert.Equal([9127, 9129], ports);
        Assert.Equal("9129", Args(sidecars[1])[^1]);

        // The older pool's variables win the shared names, and none of the other's join them.
        var web = Env(Container(patched, "containers", "web"));
        Assert.Equal("postgresql://orders_app@127.0.0.1:6432/orders", web["DATABASE_URL"]["value"]!.GetValue<string>());
        Assert.Equal(["DATABASE_URL", "PGHOST", "PGPORT", "PGDATABASE", "PGUSER"], web.Keys);
        Assert.Contains(result.Warnings, w => w.Contains("reports-db", StringComparison.Ordinal) && w.Contains("from pool orders-db", StringComparison.Ordinal));
        Assert.Equal(2, ((JsonArray)Container(patched, "containers", "web")["volumeMounts"]!).Count);
    }

    [Fact]
    public void On_a_port_clash_the_older_pool_wins_whatever_the_input_order()
    {
        var older = TestPools.Pool("zeta", created: TestPools.Old);
        var newer = TestPools.Pool("alpha", created: TestPools.Old.AddMinutes(1));
        foreach (var pools in new[] { new[] { older, newer }, new[] { newer, older } })
        {
            var patched = Inject(TestPools.Pod(), pools, Native, out var result);

            Assert.Equal([new PortConflict("alpha", "zeta", 6432)], result.Conflicts);
            Assert.Equal(PoolInjectionStatus.PortConflict, result.Pools.Single(p => p.Pool == "alpha").Status);
            Assert.Equal(["alpha"], result.Missing.Select(m => m.Pool));
            Assert.Equal(["sidepool-zeta"], ((JsonArray)patched["spec"]!["initContainers"]!).Select(c => c!["name"]!.GetValue<string>()));
            Assert.Contains(result.Warnings, w => w.Contains("alpha", StringComparison.Ordinal) && w.Contains("zeta", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Same_age_clash_is_won_by_the_smaller_name()
    {
        var result = InjectionBuilder.Build(TestPools.Pod(), [TestPools.Pool("b"), TestPools.Pool("a")], Native);
        Assert.Equal([new PortConflict("b", "a", 6432)], result.Conflicts);
    }

    [Fact]
    public void Trust_is_refused_on_host_network_pods_but_scram_is_injected()
    {
        var pod = TestPools.Pod("\"hostNetwork\": true,");
        var trust = TestPools.Pool("orders-db");
        var scram = TestPools.Pool("reports-db", TestPools.Spec(port: 6433, clientAuth: "scram"));
        var patched = Inject(pod, [trust, scram], Native, out var result);

        Assert.Equal(PoolInjectionStatus.RefusedHostNetwork, result.Pools.Single(p => p.Pool == "orders-db").Status);
        Assert.Equal(PoolInjectionStatus.Injected, result.Pools.Single(p => p.Pool == "reports-db").Status);
        Assert.Contains(result.Warnings, w => w.Contains("hostNetwork", StringComparison.Ordinal));
        Assert.Equal(["sidepool-reports-db"], ((JsonArray)patched["spec"]!["initContainers"]!).Select(c => c!["name"]!.GetValue<string>()));
        Assert.Null(patched["metadata"]!["labels"]!["pools.sidepool.dev/orders-db"]);

        var only = InjectionBuilder.Build(pod, [trust], Native);
        Assert.Empty(only.Patch);
        Assert.Single(only.Missing);
    }

    [Fact]
    public void A_pod_using_the_sidecar_volume_names_is_left_alone_for_that_pool()
    {
        var pod = TestPools.Pod("\"volumes\": [ { \"name\": \"sidepool-orders-db-socket\", \"emptyDir\": {} } ],");
        var result = InjectionBuilder.Build(pod, [TestPools.Pool("orders-db")], Native);

        Assert.Empty(result.Patch);
        Assert.Equal(PoolInjectionStatus.NameInUse, Assert.Single(result.Missing).Status);
    }

    [Fact]
    public void Long_pool_names_give_valid_deterministic_names_and_label_keys()
    {
        var name = "orders-" + new string('x', 200) + ".example";
        var pool = TestPools.Pool(name);
        var patched = Inject(TestPools.Pod(), [pool], Native, out _);

        var container = VersionContract.Sidecar.Container(name);
        Assert.Equal(container, VersionContract.Sidecar.Container(name));
        Assert.True(container.Length <= 63);
        Assert.NotEqual(container, VersionContract.Sidecar.Container(name + "2"));
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", container);
        var key = VersionContract.Labels.PodPool(name);
        Assert.True(key.Length - VersionContract.Labels.PodPoolPrefix.Length <= 63);
        Assert.Matches("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", key[VersionContract.Labels.PodPoolPrefix.Length..]);
        Assert.Equal(pool.Rendered.ShortVersion, patched["metadata"]!["labels"]![key]!.GetValue<string>());
        Assert.NotNull(Container(patched, "initContainers", container));
        Assert.Equal("sidepool-a-b-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("sidepool-a.b"u8))[..10], VersionContract.Sidecar.Container("a.b"));
    }

    [Fact]
    public void Pods_without_matching_pools_get_an_empty_patch()
    {
        var result = InjectionBuilder.Build(TestPools.Pod(), [], Native);
        Assert.Empty(result.Patch);
        Assert.Empty(result.Pools);
    }

    [Fact]
    public void Unknown_pod_fields_survive_because_only_operations_are_produced()
    {
        var pod = TestPools.Pod("\"someFutureField\": { \"x\": 1 },");
        var result = InjectionBuilder.Build(pod, [TestPools.Pool("orders-db")], Native);

        Assert.All(result.Patch, op => Assert.Equal("add", op!["op"]!.GetValue<string>()));
        Assert.DoesNotContain(result.Patch, op => op!["path"]!.GetValue<string>() is "/spec" or "/metadata" or "");
        var patched = JsonPatchApplier.Apply(pod, result.Patch);
        Assert.Equal(1, patched["spec"]!["someFutureField"]!["x"]!.GetValue<int>());
    }

    [Fact]
    public void Settings_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new InjectionOptions { SidecarMode = "sometimes" }.Validate());
        Assert.Throws<ArgumentException>(() => new InjectionOptions { AgentPort = 0 }.Validate());
        new InjectionOptions().Validate();
    }
}
