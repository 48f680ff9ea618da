using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

public sealed class CrudSemanticsTests
{
    [Fact]
    public async Task ResourceVersion_increases_on_every_write_and_a_stale_update_is_409_Conflict()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);

        var created = await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("rv"));
        var rv1 = long.Parse(Objects.Rv(created), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(rv1, server.CurrentResourceVersion);

        var update = created.DeepClone().AsObject();
        update["data"]!["key"] = "v2";
        var updated = await api.PutAsync(Objects.ConfigMaps + "/rv", update);
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        var rv2 = long.Parse(updated.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(rv2 > rv1);

        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("other"));
        Assert.True(server.CurrentResourceVersion > rv2);

        update["data"]!["key"] = "stale";
        var stale = await api.PutAsync(Objects.ConfigMaps + "/rv", update);
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        Assert.Equal("Conflict", stale.Reason);
        Assert.Equal("Failure", stale.Body["status"]!.GetValue<string>());
        Assert.Equal(409, stale.Body["code"]!.GetValue<int>());
        Assert.Equal("configmaps", stale.Body["details"]!["kind"]!.GetValue<string>());
        Assert.Equal("rv", stale.Body["details"]!["name"]!.GetValue<string>());
        Assert.Contains("the object has been modified", stale.Body["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var list = await api.GetAsync(Objects.ConfigMaps);
        Assert.Equal("ConfigMapList", list.Body["kind"]!.GetValue<string>());
        Assert.Equal(server.CurrentResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), list.ResourceVersion);
    }

    [Fact]
    public async Task Create_sets_uid_timestamp_and_generateName_and_errors_are_Status_objects()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);

        var generated = await api.CreateAsync(Objects.ConfigMaps, new JsonObject { ["metadata"] = new JsonObject { ["generateName"] = "gen-" }, ["data"] = new JsonObject() });
        var name = generated["metadata"]!["name"]!.GetValue<string>();
        Assert.Matches("^gen-[a-z0-9]{5}$", name);
        Assert.Matches("^[0-9a-f]{8}-", generated["metadata"]!["uid"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", generated["metadata"]!["creationTimestamp"]!.GetValue<string>());
        Assert.Equal("ConfigMap", generated["kind"]!.GetValue<string>());

        var duplicate = await api.PostAsync(Objects.ConfigMaps, Objects.ConfigMap(name));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Status);
        Assert.Equal("AlreadyExists", duplicate.Reason);

        var missing = await api.GetAsync(Objects.ConfigMaps + "/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("NotFound", missing.Reason);
        Assert.Equal("configmaps \"nope\" not found", missing.Body["message"]!.GetValue<string>());

        var badName = await api.PostAsync(Objects.ConfigMaps, Objects.ConfigMap("Not_Valid"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badName.Status);
        Assert.Equal("Invalid", badName.Reason);
        Assert.Equal("metadata.name", badName.Body["details"]!["causes"]![0]!["field"]!.GetValue<string>());

        var noNamespace = await api.PostAsync("/api/v1/namespaces/ghost/configmaps", Objects.ConfigMap("x"));
        Assert.Equal(HttpStatusCode.NotFound, noNamespace.Status);
        Assert.Equal("namespaces \"ghost\" not found", noNamespace.Body["message"]!.GetValue<string>());

        var unknownResource = await api.GetAsync("/apis/example.com/v1/widgets");
        Assert.Equal(HttpStatusCode.NotFound, unknownResource.Status);
        Assert.Equal("the server could not find the requested resource", unknownResource.Body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Generation_rises_on_spec_changes_only_and_status_subresource_separates_writes()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var widgets = await Objects.CreateWidgetCrdAsync(api);

        var withStatus = Objects.Widget("w", 1);
        withStatus["status"] = new JsonObject { ["phase"] = "Ignored" };
        var created = await api.CreateAsync(widgets, withStatus);
        Assert.Equal(1, Objects.Generation(created));
        Assert.Null(created["status"]);

        var labelOnly = created.DeepClone().AsObject();
        labelOnly["metadata"]!["labels"] = new JsonObject { ["tier"] = "gold" };
        var afterLabel = (await api.PutAsync(widgets + "/w", labelOnly)).Body;
        Assert.Equal(1, Objects.Generation(afterLabel));

        var specChange = afterLabel.DeepClone().AsObject();
        specChange["spec"]!["size"] = 2;
        specChange["status"] = new JsonObject { ["phase"] = "IgnoredOnMainResource" };
        var afterSpec = (await api.PutAsync(widgets + "/w", specChange)).Body;
        Assert.Equal(2, Objects.Generation(afterSpec));
        Assert.Null(afterSpec["status"]);

        var statusWrite = afterSpec.DeepClone().AsObject();
        statusWrite["status"] = new JsonObject { ["phase"] = "Ready", ["observedGeneration"] = 2 };
        statusWrite["spec"]!["size"] = 99;
        var afterStatus = (await api.PutAsync(widgets + "/w/status", statusWrite)).Body;
        Assert.Equal("Ready", afterStatus["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(2, afterStatus["spec"]!["size"]!.GetValue<int>());
        Assert.Equal(2, Objects.Generation(afterStatus));

        var noRv = afterStatus.DeepClone().AsObject();
        noRv["metadata"]!.AsObject().Remove("resourceVersion");
        var unconditional = await api.PutAsync(widgets + "/w", noRv);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unconditional.Status);
    }

    [Fact]
    public async Task Noop_update_keeps_the_resourceVersion()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("same"));
        var again = await api.PutAsync(Objects.ConfigMaps + "/same", created);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(Objects.Rv(created), again.ResourceVersion);
    }

    [Fact]
    public async Task Cluster_scoped_and_namespaced_resources_are_routed_by_scope()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);

        var ns = await api.CreateAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "team-a" } });
        Assert.Equal("Active", ns["status"]!["phase"]!.GetValue<string>());
        await api.CreateAsync("/api/v1/nodes", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "node-1" } });
        await api.CreateAsync("/api/v1/namespaces/team-a/configmaps", Objects.ConfigMap("c"));
        await api.CreateAsync("/apis/coordination.k8s.io/v1/namespaces/team-a/leases", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "leader" }, ["spec"] = new JsonObject { ["holderIdentity"] = "me" } });

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/nodes/node-1")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/namespaces/team-a/nodes/node-1")).Status);
        var allConfigMaps = await api.GetAsync("/api/v1/configmaps");
        Assert.Single(allConfigMaps.Body["items"]!.AsArray());
        Assert.Empty((await api.GetAsync(Objects.ConfigMaps)).Body["items"]!.AsArray());
        var lease = await api.GetAsync("/apis/coordination.k8s.io/v1/namespaces/team-a/leases/leader");
        Assert.Equal("me", lease.Body["spec"]!["holderIdentity"]!.GetValue<string>());
    }

    [Fact]
    public async Task Discovery_lists_built_ins_and_registered_resources()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        server.RegisterResource(new ResourceDefinition("sidepool.dev", "v1alpha1", "ConnectionPool", "connectionpools", "connectionpool", true, ["cp"], HasStatusSubresource: true));

        var core = await api.GetAsync("/api/v1");
        var coreNames = core.Body["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        foreach (var expected in new[] { "namespaces", "nodes", "configmaps", "secrets", "pods", "pods/status", "services", "serviceaccounts", "events" })
        {
            Assert.Contains(expected, coreNames);
        }

        var groups = (await api.GetAsync("/apis")).Body["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).ToList();
        foreach (var expected in new[] { "apps", "batch", "policy", "coordination.k8s.io", "events.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "sidepool.dev" })
        {
            Assert.Contains(expected, groups);
        }

        var apps = (await api.GetAsync("/apis/apps/v1")).Body["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"], apps);
        var pools = (await api.GetAsync("/apis/sidepool.dev/v1alpha1")).Body["resources"]![0]!;
        Assert.Equal("ConnectionPool", pools["kind"]!.GetValue<string>());
        Assert.Equal("cp", pools["shortNames"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/version")).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/openapi/v3")).Status);
    }
}
