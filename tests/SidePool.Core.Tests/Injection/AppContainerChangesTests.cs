using System.Text.Json.Nodes;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class AppContainerChangesTests
{
    private static readonly InjectionOptions Settings = new();

    private static readonly AppContainers Apps = AppContainers.Of(
        PodInventory.Of(new JsonObject
        {
            ["spec"] = JsonNode.Parse("""
                {
                  "initContainers": [ { "name": "migrate" } ],
                  "containers": [
                    { "name": "web", "env": [ { "name": "PGUSER", "value": "me" } ], "volumeMounts": [ { "name": "data", "mountPath": "/data" } ] },
                    { "name": "worker" }
                  ]
                }
                """),
        }),
        []);

    private static PodContract Contract(PoolInjection pool) =>
        PodContract.Build(pool.Inputs(Settings), Settings, $"{pool.Name}-{pool.Rendered.ShortVersion}", 9127);

    private static List<(string Op, string Path, string Value)> Written(AppContainerChanges changes)
    {
        var patch = new PatchOperations();
        changes.WriteTo(patch);
        return [.. patch.Operations.Select(o => (o!["op"]!.GetValue<string>(), o["path"]!.GetValue<string>(), o["value"]!.ToJsonString()))];
    }

    [Fact]
    public void A_pool_gives_each_container_its_env_set_and_mounts_keeping_what_the_container_sets()
    {
        var changes = new AppContainerChanges(Apps);
        var warnings = changes.Add("orders-db", Apps.Regular, Contract(TestPools.Pool("orders-db")));

        Assert.Equal(["sidepool: pool orders-db: container web already sets PGUSER; it is left as it is"], warnings);
        var written = Written(changes);
        Assert.Equal(
            ["/spec/containers/0/env/-", "/spec/containers/0/env/-", "/spec/containers/0/env/-", "/spec/containers/0/env/-", "/spec/containers/0/volumeMounts/-", "/spec/containers/1/env", "/spec/containers/1/volumeMounts"],
            written.Select(w => w.Path));
        Assert.All(written, w => Assert.Equal("add", w.Op));
        Assert.DoesNotContain(written, w => w.Path.StartsWith("/spec/containers/0", StringComparison.Ordinal) && w.Value.Contains("PGUSER", StringComparison.Ordinal));
        Assert.Contains("PGUSER", written.Single(w => w.Path == "/spec/containers/1/env").Value, StringComparison.Ordinal);
        Assert.Contains("/var/run/sidepool/orders-db", written.Single(w => w.Path == "/spec/containers/1/volumeMounts").Value, StringComparison.Ordinal);
    }

    [Fact]
    public void A_younger_pool_whose_names_an_older_pool_set_gives_that_container_none_of_its_variables_but_its_mounts()
    {
        var changes = new AppContainerChanges(Apps);
        changes.Add("orders-db", [Apps.Regular[1]], Contract(TestPools.Pool("orders-db")));
        var warnings = changes.Add("reports-db", [Apps.Regular[1], .. Apps.Init], Contract(TestPools.Pool("reports-db", TestPools.Spec(port: 6433, clientAuth: "scram"))));

        Assert.Equal(
            ["sidepool: pool reports-db: container worker gets no variables of this pool: DATABASE_URL, PGHOST, PGPORT, PGDATABASE, PGUSER already come from pool orders-db (a pool's variables are set together or not at all; give the pools different injection.env names)"],
            warnings);
        var written = Written(changes);
        var workerEnv = JsonNode.Parse(written.Single(w => w.Path == "/spec/containers/1/env").Value)!.AsArray();
        Assert.Equal(5, workerEnv.Count);
        Assert.DoesNotContain("PGPASSWORD", workerEnv.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(2, JsonNode.Parse(written.Single(w => w.Path == "/spec/containers/1/volumeMounts").Value)!.AsArray().Count);

        // The init container had nothing from the older pool: it gets the younger one's whole set, after the regular containers.
        Assert.Equal(["/spec/containers/1/env", "/spec/containers/1/volumeMounts", "/spec/initContainers/0/env", "/spec/initContainers/0/volumeMounts"], written.Select(w => w.Path));
        Assert.Contains("PGPASSWORD", written.Single(w => w.Path == "/spec/initContainers/0/env").Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_added_writes_nothing()
    {
        var changes = new AppContainerChanges(Apps);
        changes.Add("orders-db", [], Contract(TestPools.Pool("orders-db")));

        Assert.Empty(Written(changes));
    }
}
