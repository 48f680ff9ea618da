using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Testing;
using Xunit;

namespace SidePool.Core.Tests;

/// <summary>
/// Pins what <see cref="InjectionBuilder.Build"/> answers, byte for byte: a table of pods × pools × options, each
/// case's whole <see cref="InjectionResult"/> (patch operations, warnings, outcome per pool, port conflicts, or the
/// exception it throws) kept in <c>Golden/injection-results.json</c>. A refactoring of the builder must leave that
/// file unchanged; a change of behaviour changes it, and the diff is what a reviewer reads.
/// <para>
/// To regenerate the file after an intended change, run
/// <c>SIDEPOOL_UPDATE_GOLDEN=1 dotnet test tests/SidePool.Core.Tests --filter FullyQualifiedName~InjectionGoldenTests</c>
/// and review <c>git diff tests/SidePool.Core.Tests/Injection/Golden</c>. On a mismatch the test writes what it got
/// to <c>injection-results.json.actual</c> in the temp directory and names the cases that differ.
/// </para>
/// <para>
/// The pools' rendered versions are made here (fixed version hashes, a fixed image, the client user in
/// <c>sidepool.json</c>), not by <see cref="PoolVersionBuilder"/>, so a change of rendering or of the version hash does
/// not touch this file; the options are spelled out for the same reason. Not covered because the builder does not
/// decide them: dry runs, pools without a published version and pools being deleted (the webhook's
/// <c>PodAdmissionHandler</c> filters them before calling it), and the label selector. There is no opt-out label or
/// annotation and no image allow-list in the builder.
/// </para>
/// </summary>
public sealed class InjectionGoldenTests
{
    private const string UpdateVariable = "SIDEPOOL_UPDATE_GOLDEN";
    private const string GoldenFile = "injection-results.json";
    private const string Image = "registry.example/sidepool/sidecar:golden";

    private static readonly InjectionOptions Native = new()
    {
        SidecarMode = SidecarModes.Native,
        AgentPort = 9127,
        DefaultImage = "registry.example/sidepool/sidecar:default",
        AgentShutdownTimeout = TimeSpan.FromSeconds(5),
        GracePeriodMargin = TimeSpan.FromSeconds(5),
        SidecarUserId = 65532,
    };

    private static readonly InjectionOptions Classic = Native with { SidecarMode = SidecarModes.Classic };

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One row of the table: the pod (made fresh for each call), the matching pools and the operator's options.</summary>
    private sealed record Case(string Name, Func<JsonObject> Pod, IReadOnlyList<PoolInjection> Pools, InjectionOptions Options);

    [Fact]
    public void Every_case_answers_exactly_as_the_golden_file_says()
    {
        var actual = Render(Cases());
        var path = SourceTree.PathOf("tests", "SidePool.Core.Tests", "Injection", "Golden", GoldenFile);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }

        var expected = File.Exists(path) ? File.ReadAllText(path) : "";
        if (expected != actual)
        {
            var actualPath = Path.Combine(Path.GetTempPath(), GoldenFile + ".actual");
            File.WriteAllText(actualPath, actual);
            Assert.Fail($"{GoldenFile} differs in the cases [{string.Join(", ", DifferingCases(expected, actual))}]; got {actualPath}. " +
                $"If the change is intended, regenerate with {UpdateVariable}=1 (see this test's summary) and review the diff.");
        }
    }

    [Fact]
    public void Case_names_are_unique_and_every_status_and_an_error_are_covered()
    {
        var cases = Cases();
        Assert.Equal(cases.Count, cases.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());

        var document = JsonNode.Parse(Render(cases))!.AsArray();
        var statuses = document.SelectMany(c => (c!["pools"] as JsonArray ?? [])).Select(p => p!["status"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(Enum.GetNames<PoolInjectionStatus>().Order(StringComparer.Ordinal), statuses.Order(StringComparer.Ordinal));
        Assert.Contains(document, c => c!["throws"] is not null);
    }

    [Fact]
    public void Every_patch_of_the_table_applies_to_its_pod()
    {
        foreach (var row in Cases())
        {
            var pod = row.Pod();
            InjectionResult result;
            try
            {
                result = InjectionBuilder.Build(pod, row.Pools, row.Options);
            }
            catch (ArgumentException)
            {
                continue;
            }

            var patched = JsonPatchApplier.Apply(pod, result.Patch);
            Assert.Equal(result.HasChanges, patched.ToJsonString() != pod.ToJsonString());
        }
    }

    private static string Render(IReadOnlyList<Case> cases)
    {
        var document = new JsonArray();
        foreach (var row in cases)
        {
            document.Add(Describe(row));
        }

        return document.ToJsonString(Json) + "\n";
    }

    private static JsonObject Describe(Case row)
    {
        var entry = new JsonObject { ["case"] = row.Name };
        InjectionResult result;
        try
        {
            result = InjectionBuilder.Build(row.Pod(), row.Pools, row.Options);
        }
        catch (ArgumentException exception)
        {
            entry["throws"] = $"{exception.GetType().Name}: {exception.Message}";
            return entry;
        }

        entry["patch"] = result.Patch.DeepClone();
        entry["warnings"] = new JsonArray([.. result.Warnings.Select(w => (JsonNode?)w)]);
        entry["pools"] = new JsonArray([.. result.Pools.Select(p => (JsonNode?)new JsonObject
        {
            ["pool"] = p.Pool,
            ["status"] = p.Status.ToString(),
            ["shortVersion"] = p.ShortVersion,
        })]);
        entry["conflicts"] = new JsonArray([.. result.Conflicts.Select(c => (JsonNode?)new JsonObject
        {
            ["pool"] = c.Pool,
            ["takenBy"] = c.TakenBy,
            ["port"] = c.Port,
        })]);
        return entry;
    }

    private static IEnumerable<string> DifferingCases(string expected, string actual)
    {
        static Dictionary<string, JsonNode> ByName(string text)
        {
            try
            {
                return (JsonNode.Parse(text) as JsonArray ?? []).OfType<JsonObject>()
                    .ToDictionary(c => c["case"]!.GetValue<string>(), c => (JsonNode)c, StringComparer.Ordinal);
            }
            catch (JsonException)
            {
                return [];
            }
        }

        var before = ByName(expected);
        var after = ByName(actual);
        return before.Keys.Union(after.Keys)
            .Where(name => !before.TryGetValue(name, out var b) || !after.TryGetValue(name, out var a) || !JsonNode.DeepEquals(a, b) || b.ToJsonString() != a.ToJsonString())
            .DefaultIfEmpty("(only formatting or case order)");
    }

    // ---- the table ----

    private static IReadOnlyList<Case> Cases()
    {
        var orders = Pool("orders-db");
        var reports = Pool("reports-db", Spec(port: 6433, clientAuth: "scram"), minutes: 60);
        var scram = Pool("orders-db", Spec(clientAuth: "scram"));
        return
        [
            // Nothing to do.
            new("no matching pool", () => AppPod(), [], Native),
            new("no matching pool, pod without containers", () => Pod("""{ "containers": [] }"""), [], Native),

            // One pool.
            new("one pool, native", () => AppPod(), [orders], Native),
            new("one pool, classic (options)", () => AppPod(), [orders], Classic),
            new("one pool, classic (its version's mode) under native options", () => AppPod(), [orders with { SidecarMode = SidecarModes.Classic }], Native),
            new("one pool, native (its version's mode) under classic options", () => AppPod(), [orders with { SidecarMode = SidecarModes.Native }], Classic),
            new("one pool, scram", () => AppPod(), [scram], Native),
            new("one pool, no unix socket for apps", () => AppPod(), [Pool("orders-db", Spec(unixSocket: false))], Native),
            new("one pool, no pg vars and another url name", () => AppPod(), [Pool("orders-db", Spec(change: s => { s.Injection.Env.PgVars = false; s.Injection.Env.Url = "ORDERS_URL"; }))], Native),
            new("one pool, no env at all", () => AppPod(), [Pool("orders-db", Spec(change: s => { s.Injection.Env.PgVars = false; s.Injection.Env.Url = ""; }))], Native),
            new("one pool, direct url, tls require", () => AppPod(), [Pool("orders-db", Spec(change: s => s.Injection.Env.DirectUrl = "DATABASE_URL_DIRECT"))], Native),
            new("one pool, direct url, verify-full mounts the ca", () => AppPod(), [Pool("orders-db", Spec(clientAuth: "scram", change: s =>
            {
                s.Injection.Env.DirectUrl = "DATABASE_URL_DIRECT";
                s.Backend!.Tls = new BackendTls { Mode = "verify-full", CaSecret = new SecretKeyRef { Name = "pg-ca" } };
            }))], Native),
            new("one pool, readiness backend, no resources", () => AppPod(), [Pool("orders-db", Spec(change: s =>
            {
                s.Sidecar.Readiness = "backend";
                s.Sidecar.Resources = new SidePool.Api.ResourceRequirements();
            }))], Native),
            new("one pool, user with dollar signs", () => AppPod(), [Pool("orders-db", user: "app$x$$y")], Native),
            new("one pool, long dotted name", () => AppPod(), [Pool("orders-" + new string('x', 80) + ".example")], Native),
            new("one pool, other agent port and uid", () => AppPod(), [orders], Native with { AgentPort = 19000, SidecarUserId = 1001, AgentShutdownTimeout = TimeSpan.FromMilliseconds(2500) }),

            // App containers with and without env, volumes, mounts.
            new("app containers without env, volumes or mounts", () => Pod("""{ "containers": [ { "name": "web", "image": "shop/web:1" } ] }"""), [orders], Native),
            new("app containers with env, volumes and mounts", () => Pod("""
                {
                  "volumes": [ { "name": "data", "emptyDir": {} } ],
                  "containers": [
                    { "name": "web", "image": "shop/web:1", "env": [ { "name": "LOG", "value": "info" } ], "volumeMounts": [ { "name": "data", "mountPath": "/data" } ] },
                    { "name": "worker", "image": "shop/worker:1", "volumeMounts": [ { "name": "data", "mountPath": "/data" } ] }
                  ]
                }
                """), [orders], Native),
            new("env the container already sets is kept and reported", () => Pod("""
                {
                  "containers": [
                    { "name": "web", "image": "shop/web:1", "env": [ { "name": "DATABASE_URL", "value": "postgresql://mine" }, { "name": "PGUSER", "value": "me" } ] }
                  ]
                }
                """), [orders], Native),
            new("a container without a name is an app container", () => Pod("""{ "containers": [ { "image": "shop/web:1" }, { "name": "worker", "image": "shop/worker:1" } ] }"""), [orders], Native),
            new("a container named like another pool's sidecar is an app container", () => Pod("""
                { "containers": [ { "name": "web", "image": "shop/web:1" }, { "name": "sidepool-other-db", "image": "x" } ] }
                """), [orders], Native),

            // Selected app containers (spec.injection.containers), init containers.
            new("selected containers include an init container, an unknown name and a foreign native sidecar", () => Pod("""
                {
                  "initContainers": [
                    { "name": "istio-proxy", "image": "istio/proxy:1", "restartPolicy": "Always" },
                    { "name": "migrate", "image": "shop/migrate:1", "env": [ { "name": "MODE", "value": "up" } ] }
                  ],
                  "containers": [
                    { "name": "web", "image": "shop/web:1" },
                    { "name": "worker", "image": "shop/worker:1" }
                  ]
                }
                """), [Pool("orders-db", Spec(change: s => s.Injection.Containers = ["worker", "migrate", "ghost", "istio-proxy"]))], Native),
            new("init containers are not app containers by default; native sidecar is prepended", () => Pod("""
                {
                  "initContainers": [ { "name": "migrate", "image": "shop/migrate:1" } ],
                  "containers": [ { "name": "web", "image": "shop/web:1" } ]
                }
                """), [orders], Native),
            new("init containers and classic mode", () => Pod("""
                {
                  "initContainers": [ { "name": "migrate", "image": "shop/migrate:1" } ],
                  "containers": [ { "name": "web", "image": "shop/web:1" } ]
                }
                """), [orders], Classic),
            new("selected containers none of which exist", () => AppPod(), [Pool("orders-db", Spec(change: s => s.Injection.Containers = ["ghost"]))], Native),

            // Two pools.
            new("two pools, distinct ports, shared env names", () => AppPod(), [orders, reports], Native),
            new("two pools, input order does not matter", () => AppPod(), [reports, orders], Native),
            new("two pools, distinct env names", () => AppPod(), [orders, Pool("reports-db", Spec(port: 6433, clientAuth: "scram", change: s => { s.Injection.Env.Url = "REPORTS_URL"; s.Injection.Env.PgVars = false; }), minutes: 60)], Native),
            new("two pools, native and classic", () => AppPod(), [orders, reports with { SidecarMode = SidecarModes.Classic }], Native),
            new("two native pools with existing init containers", () => Pod("""
                {
                  "initContainers": [ { "name": "migrate", "image": "shop/migrate:1" } ],
                  "containers": [ { "name": "web", "image": "shop/web:1" } ]
                }
                """), [orders, reports], Native),
            new("two pools, same port, older wins", () => AppPod(), [Pool("alpha", minutes: 1), Pool("zeta")], Native),
            new("two pools, same port and age, smaller name wins", () => AppPod(), [Pool("b"), Pool("a")], Native),
            new("two pools, different drain timeouts raise the grace period to the longest", () => AppPod(), [Pool("orders-db", Spec(drainTimeout: "1m")), Pool("reports-db", Spec(port: 6433, drainTimeout: "10m"), minutes: 60)], Native),
            new("three pools, agent ports skip pool ports and the pod's ports", () => Pod("""
                { "containers": [ { "name": "web", "image": "shop/web:1", "ports": [ { "containerPort": 9128 } ] } ] }
                """), [orders, Pool("reports-db", Spec(port: 9129), minutes: 60), Pool("audit-db", Spec(port: 9131), minutes: 120)], Native),
            new("a pool listening on the agent port moves the agent port", () => AppPod(), [Pool("orders-db", Spec(port: 9127))], Native),

            // Ports the pod itself declares.
            new("the pod declares the agent port", () => Pod("""
                { "containers": [ { "name": "web", "image": "shop/web:1", "ports": [ { "containerPort": 9127 }, { "containerPort": 9128, "hostPort": 9129 } ] } ] }
                """), [orders], Native),
            new("the pod declares the sidecar port as containerPort", () => Pod("""
                { "containers": [ { "name": "web", "image": "shop/web:1", "ports": [ { "containerPort": 6432 } ] } ] }
                """), [orders], Native),
            new("the pod declares the sidecar port as hostPort", () => Pod("""
                { "containers": [ { "name": "web", "image": "shop/web:1", "ports": [ { "containerPort": 8443, "hostPort": 6432 } ] } ] }
                """), [orders], Native),
            new("an unnamed init container declares the sidecar port", () => Pod("""
                {
                  "initContainers": [ { "image": "shop/setup:1", "ports": [ { "containerPort": 6432 } ] } ],
                  "containers": [ { "name": "web", "image": "shop/web:1" } ]
                }
                """), [orders, reports], Native),
            new("a port given as text is not a declared port", () => Pod("""
                { "containers": [ { "name": "web", "image": "shop/web:1", "ports": [ { "containerPort": "6432" } ] } ] }
                """), [orders], Native),

            // hostNetwork.
            new("host network refuses trust and injects scram", () => Pod("""
                { "hostNetwork": true, "containers": [ { "name": "web", "image": "shop/web:1" } ] }
                """), [orders, reports], Native),
            new("host network with the sidecar port declared", () => Pod("""
                { "hostNetwork": true, "containers": [ { "name": "web", "image": "shop/web:1", "ports": [ { "containerPort": 6432 } ] } ] }
                """), [scram], Native),
            new("host network given as text is not host network", () => Pod("""
                { "hostNetwork": "true", "containers": [ { "name": "web", "image": "shop/web:1" } ] }
                """), [orders], Native),

            // Names the pod already uses.
            new("the pod uses a sidecar volume name", () => Pod("""
                { "volumes": [ { "name": "sidepool-orders-db-socket", "emptyDir": {} } ], "containers": [ { "name": "web", "image": "shop/web:1" } ] }
                """), [orders, reports], Native),
            new("an app container uses the socket mount path (with a trailing slash)", () => Pod("""
                { "containers": [ { "name": "web", "image": "shop/web:1", "volumeMounts": [ { "name": "x", "mountPath": "/var/run/sidepool/orders-db/" } ] } ], "volumes": [ { "name": "x", "emptyDir": {} } ] }
                """), [orders], Native),
            new("a container that is not selected may use the mount path", () => Pod("""
                {
                  "volumes": [ { "name": "x", "emptyDir": {} } ],
                  "containers": [
                    { "name": "web", "image": "shop/web:1", "volumeMounts": [ { "name": "x", "mountPath": "/var/run/sidepool/orders-db" } ] },
                    { "name": "worker", "image": "shop/worker:1" }
                  ]
                }
                """), [Pool("orders-db", Spec(change: s => s.Injection.Containers = ["worker"]))], Native),
            new("without unix socket the mount path is free", () => Pod("""
                { "containers": [ { "name": "web", "image": "shop/web:1", "volumeMounts": [ { "name": "x", "mountPath": "/var/run/sidepool/orders-db" } ] } ], "volumes": [ { "name": "x", "emptyDir": {} } ] }
                """), [Pool("orders-db", Spec(unixSocket: false))], Native),

            // Already injected (re-invocation, idempotency).
            new("already injected as native sidecar", () => Pod("""
                {
                  "initContainers": [ { "name": "sidepool-orders-db", "image": "x", "restartPolicy": "Always", "ports": [ { "containerPort": 9127 } ] } ],
                  "containers": [ { "name": "web", "image": "shop/web:1" } ]
                }
                """), [orders], Native),
            new("already injected as classic sidecar", () => Pod("""
                { "containers": [ { "name": "web", "image": "shop/web:1" }, { "name": "sidepool-orders-db", "image": "x" } ] }
                """), [orders], Classic),
            new("re-invocation on an injected pod changes nothing", () => Injected(AppPod(), [orders, reports], Native), [orders, reports], Native),
            new("re-invocation with one more pool adds only it", () => Injected(AppPod(), [orders], Native), [orders, reports], Native),
            new("re-invocation with one more classic pool", () => Injected(AppPod(), [orders], Classic), [orders, reports], Classic),
            new("an injected sidecar keeps its port against an older pool", () => Pod("""
                {
                  "initContainers": [ { "name": "sidepool-zeta", "image": "x", "restartPolicy": "Always" } ],
                  "containers": [ { "name": "web", "image": "shop/web:1" } ]
                }
                """, """{ "labels": { "pools.sidepool.dev/zeta": "0000000000" }, "annotations": { "sidepool.dev/injected": "zeta=0000000000" } }"""), [Pool("alpha"), Pool("zeta", minutes: 5)], Native),

            // Grace period.
            new("grace period: the pod's larger value is kept", () => Pod("""{ "terminationGracePeriodSeconds": 600, "containers": [ { "name": "web", "image": "shop/web:1" } ] }"""), [orders], Native),
            new("grace period: a short drain needs no change", () => AppPod(), [Pool("orders-db", Spec(drainTimeout: "10s"))], Native),
            new("grace period: raised above the pod's value", () => Pod("""{ "terminationGracePeriodSeconds": 30, "containers": [ { "name": "web", "image": "shop/web:1" } ] }"""), [Pool("orders-db", Spec(drainTimeout: "21s"))], Native),
            new("grace period: fractional seconds round up", () => AppPod(), [Pool("orders-db", Spec(drainTimeout: "20500ms"))], Native),

            // Stamps.
            new("stamps: no metadata at all", () => JsonNode.Parse("""{ "spec": { "containers": [ { "name": "web", "image": "shop/web:1" } ] } }""")!.AsObject(), [orders], Native),
            new("stamps: no labels, annotations with an earlier injected value", () => Pod(
                """{ "containers": [ { "name": "web", "image": "shop/web:1" } ] }""",
                """{ "annotations": { "team": "shop", "sidepool.dev/injected": "legacy=0123456789" } }"""), [orders, reports], Native),
            new("stamps: labels, no annotations", () => Pod("""{ "containers": [ { "name": "web", "image": "shop/web:1" } ] }""", """{ "labels": { "app": "orders" } }"""), [orders], Native),
            new("stamps: nothing injected, nothing stamped", () => Pod("""{ "hostNetwork": true, "containers": [ { "name": "web", "image": "shop/web:1" } ] }"""), [orders], Native),

            // Errors.
            new("error: unknown sidecar mode of a pool", () => AppPod(), [orders with { SidecarMode = "auto" }], Native),
            new("no error for an unknown mode when the pool is skipped first", () => Pod("""{ "hostNetwork": true, "containers": [ { "name": "web", "image": "shop/web:1" } ] }"""), [orders with { SidecarMode = "auto" }], Native),
            new("error: a pod without spec", () => JsonNode.Parse("""{ "metadata": { "name": "p" } }""")!.AsObject(), [orders], Native),
        ];
    }

    /// <summary>The usual app pod: labelled, two containers (one with a port, one with env), no init containers.</summary>
    private static JsonObject AppPod() => Pod("""
        {
          "containers": [
            { "name": "web", "image": "shop/web:1", "ports": [ { "containerPort": 8080 } ] },
            { "name": "worker", "image": "shop/worker:1", "env": [ { "name": "MODE", "value": "jobs" } ] }
          ]
        }
        """);

    private static JsonObject Pod(string spec, string metadata = """{ "generateName": "orders-7d9f-", "namespace": "shop", "labels": { "app": "orders" } }""") =>
        new()
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = JsonNode.Parse(metadata),
            ["spec"] = JsonNode.Parse(spec),
        };

    /// <summary>The pod as the first answer left it: the builder's own patch applied.</summary>
    private static JsonObject Injected(JsonObject pod, IReadOnlyList<PoolInjection> pools, InjectionOptions options) =>
        JsonPatchApplier.Apply(pod, InjectionBuilder.Build(pod, pools, options).Patch);

    private static ConnectionPoolSpec Spec(int port = 6432, string clientAuth = "trust", string drainTimeout = "5m", bool unixSocket = true, Action<ConnectionPoolSpec>? change = null)
    {
        var spec = TestPools.Spec(port, clientAuth, drainTimeout, unixSocket);
        change?.Invoke(spec);
        return spec;
    }

    private static PoolInjection Pool(string name, ConnectionPoolSpec? spec = null, int minutes = 0, string user = TestPools.User) => new()
    {
        Name = name,
        Spec = spec ?? Spec(),
        CreationTimestamp = TestPools.Old.AddMinutes(minutes),
        Rendered = new RenderedPool
        {
            Files = new Dictionary<string, string>
            {
                [VersionContract.Files.Agent] = new JsonObject { ["probe"] = new JsonObject { ["user"] = user } }.ToJsonString(),
            },
            Version = Hex("version " + name),
            ConfigRevision = Hex("revision " + name),
            RestartSettings = new Dictionary<string, string>(),
            Image = Image,
        },
    };

    private static string Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
