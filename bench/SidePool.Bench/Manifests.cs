using System.Text;
using System.Text.Json.Nodes;

namespace SidePool.Bench;

/// <summary>
/// The objects the benchmarks create, as JSON (what the operator tests create through SidePool's client, written out so
/// that the benchmark does not depend on it): a pool's credentials Secret, the pool, its Deployment, ReplicaSet and pods.
/// Pool <c>pool-N</c> selects <c>app=app-pool-N</c>; its workload is <c>web-pool-N</c>.
/// </summary>
internal static class Manifests
{
    public static JsonObject Credentials(PoolRef p) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Secret",
        ["metadata"] = Meta(p.Namespace, p.Name + "-creds"),
        ["data"] = new JsonObject { ["username"] = Base64("app"), ["password"] = Base64("pw") },
    };

    public static JsonObject Pool(PoolRef p) => new()
    {
        ["apiVersion"] = "sidepool.dev/v1alpha1",
        ["kind"] = "ConnectionPool",
        ["metadata"] = Meta(p.Namespace, p.Name),
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = App(p) } },
            ["backend"] = new JsonObject
            {
                ["host"] = "db.example",
                ["database"] = "orders",
                ["credentialsSecret"] = new JsonObject { ["name"] = p.Name + "-creds" },
            },
        },
    };

    public static JsonObject Deployment(PoolRef p) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = Meta(p.Namespace, "web-" + p.Name),
        ["spec"] = new JsonObject
        {
            ["replicas"] = 2,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = App(p) } },
            ["template"] = Template(p),
        },
    };

    /// <summary>The Deployment's ReplicaSet (the fake server runs no controllers here, as in the operator tests).</summary>
    public static JsonObject ReplicaSet(PoolRef p, JsonObject deployment) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "ReplicaSet",
        ["metadata"] = new JsonObject
        {
            ["name"] = $"web-{p.Name}-1",
            ["namespace"] = p.Namespace,
            ["ownerReferences"] = new JsonArray(Owner("apps/v1", "Deployment", deployment["metadata"]!["name"]!.GetValue<string>(), deployment["metadata"]!["uid"]!.GetValue<string>())),
        },
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = App(p) } },
            ["template"] = Template(p),
        },
    };

    /// <summary>A pod as the webhook admits it for <paramref name="version"/> (short): stamps, version Secret, native sidecar.</summary>
    public static JsonObject Pod(PoolRef p, int index, (string Name, string Uid) replicaSet, string? version) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject
        {
            ["name"] = $"web-{p.Name}-{index}",
            ["namespace"] = p.Namespace,
            ["labels"] = new JsonObject { ["app"] = App(p), ["pools.sidepool.dev/" + p.Name] = version },
            ["annotations"] = new JsonObject { ["sidepool.dev/injected"] = $"{p.Name}={version}" },
            ["ownerReferences"] = new JsonArray(Owner("apps/v1", "ReplicaSet", replicaSet.Name, replicaSet.Uid)),
        },
        ["spec"] = new JsonObject
        {
            ["initContainers"] = new JsonArray(new JsonObject { ["name"] = "sidepool-" + p.Name, ["image"] = "ghcr.io/sidepool/sidecar:0.1.0", ["restartPolicy"] = "Always" }),
            ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "example/app:1" }),
            ["volumes"] = new JsonArray(new JsonObject { ["name"] = $"sidepool-{p.Name}-config", ["secret"] = new JsonObject { ["secretName"] = $"{p.Name}-{version}" } }),
        },
    };

    private static string App(PoolRef p) => "app-" + p.Name;

    private static JsonObject Template(PoolRef p) => new()
    {
        ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = App(p) } },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "example/app:1" }) },
    };

    private static JsonObject Meta(string ns, string name) => new() { ["name"] = name, ["namespace"] = ns };

    private static JsonObject Owner(string apiVersion, string kind, string name, string uid) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = name,
        ["uid"] = uid,
        ["controller"] = true,
    };

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}

/// <summary>The ConnectionPool CRD, as committed in <c>crds/</c> (embedded at build time), POSTed as kubectl would.</summary>
internal static class Crd
{
    public static async Task InstallAsync(JsonApiClient api, CancellationToken cancellationToken)
    {
        await using var stream = typeof(Crd).Assembly.GetManifestResourceStream("sidepool.dev_connectionpools.yaml")
            ?? throw new InvalidOperationException("the CRD is not embedded");
        using var reader = new StreamReader(stream);
        await api.CreateYamlAsync("apis/apiextensions.k8s.io/v1/customresourcedefinitions", await reader.ReadToEndAsync(cancellationToken), cancellationToken);
    }
}

/// <summary>Median and friends.</summary>
internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

/// <summary>A temporary directory for a run (kubeconfig, certificate, logs), removed afterwards unless <see cref="Keep"/> was called.</summary>
internal sealed class TempDirectory : IDisposable
{
    private bool _keep;

    public string Path { get; } = Directory.CreateTempSubdirectory("sidepool-bench-").FullName;

    /// <summary>Leave the directory (a failed run's logs) in place.</summary>
    public void Keep() => _keep = true;

    public void Dispose()
    {
        if (!_keep)
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>A pool by namespace and name.</summary>
internal sealed record PoolRef(string Namespace, string Name);

/// <summary>A benchmark that could not finish: reported, with why.</summary>
internal sealed class BenchmarkFailedException(string message) : Exception(message);
