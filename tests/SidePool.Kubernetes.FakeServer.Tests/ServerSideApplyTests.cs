using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

public sealed class ServerSideApplyTests
{
    private const string Apply = "application/apply-patch+yaml";

    [Fact]
    public async Task Apply_creates_when_missing_and_requires_a_field_manager()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);

        var noManager = await api.PatchAsync(Objects.ConfigMaps + "/a", Apply, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noManager.Status);

        var yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: a
              labels:
                owner: alice
            data:
              port: "6432"
              mode: transaction
            """;
        var created = await api.PatchAsync(Objects.ConfigMaps + "/a?fieldManager=alice", Apply, yaml);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("6432", created.Body["data"]!["port"]!.GetValue<string>());
        var entry = created.Body["metadata"]!["managedFields"]![0]!;
        Assert.Equal("alice", entry["manager"]!.GetValue<string>());
        Assert.Equal("Apply", entry["operation"]!.GetValue<string>());
        Assert.Equal("FieldsV1", entry["fieldsType"]!.GetValue<string>());
        Assert.NotNull(entry["fieldsV1"]!["f:data"]!["f:port"]);
        Assert.NotNull(entry["fieldsV1"]!["f:metadata"]!["f:labels"]!["f:owner"]);

        var again = await api.PatchAsync(Objects.ConfigMaps + "/a?fieldManager=alice", Apply, yaml);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(created.ResourceVersion, again.ResourceVersion);
    }

    [Fact]
    public async Task Apply_conflicts_with_another_manager_unless_forced_and_shares_equal_values()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var widgets = await Objects.CreateWidgetCrdAsync(api);
        var alice = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 1\n  color: red\n";
        Assert.Equal(HttpStatusCode.Created, (await api.PatchAsync(widgets + "/w?fieldManager=alice", Apply, alice)).Status);

        var sameValue = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 1\n";
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync(widgets + "/w?fieldManager=bob", Apply, sameValue)).Status);

        var bob = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 2\n  color: blue\n";
        var conflict = await api.PatchAsync(widgets + "/w?fieldManager=bob", Apply, bob);
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal("Conflict", conflict.Reason);
        var causes = conflict.Body["details"]!["causes"]!.AsArray();
        Assert.Equal([".spec.color", ".spec.size"], causes.Select(c => c!["field"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(causes, c => Assert.Equal("FieldManagerConflict", c!["reason"]!.GetValue<string>()));
        Assert.Equal("Apply failed with 2 conflicts: conflicts with \"alice\":\n- .spec.color\n- .spec.size", conflict.Body["message"]!.GetValue<string>());

        var forced = await api.PatchAsync(widgets + "/w?fieldManager=bob&force=true", Apply, bob);
        Assert.Equal(HttpStatusCode.OK, forced.Status);
        Assert.Equal("blue", forced.Body["spec"]!["color"]!.GetValue<string>());
        Assert.Equal(2, Objects.Generation(forced.Body));

        // alice lost both fields; applying without them removes nothing bob owns
        var aliceEmpty = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";
        var afterAlice = await api.PatchAsync(widgets + "/w?fieldManager=alice", Apply, aliceEmpty);
        Assert.Equal(2, afterAlice.Body["spec"]!["size"]!.GetValue<int>());
        Assert.Equal("blue", afterAlice.Body["spec"]!["color"]!.GetValue<string>());
    }

    [Fact]
    public async Task Apply_removes_fields_the_manager_stops_applying_and_updates_conflict_too()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var first = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\ndata:\n  a: \"1\"\n  b: \"2\"\n";
        await api.PatchAsync(Objects.ConfigMaps + "/r?fieldManager=op", Apply, first);
        var second = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\ndata:\n  a: \"1\"\n";
        var pruned = await api.PatchAsync(Objects.ConfigMaps + "/r?fieldManager=op", Apply, second);
        Assert.Equal("""{"a":"1"}""", pruned.Body["data"]!.ToJsonString());

        var edit = await api.PatchAsync(Objects.ConfigMaps + "/r?fieldManager=human", "application/merge-patch+json", """{"data":{"a":"edited"}}""");
        Assert.Equal(HttpStatusCode.OK, edit.Status);
        var managers = edit.Body["metadata"]!["managedFields"]!.AsArray().Select(m => $"{m!["manager"]}/{m["operation"]}").ToList();
        Assert.Contains("human/Update", managers);

        var conflict = await api.PatchAsync(Objects.ConfigMaps + "/r?fieldManager=op", Apply, second);
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"human\" using v1: .data.a", conflict.Body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Apply_to_status_changes_only_status()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var widgets = await Objects.CreateWidgetCrdAsync(api);
        await api.CreateAsync(widgets, Objects.Widget("st", 1));
        var status = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: st\nspec:\n  size: 50\nstatus:\n  phase: Ready\n";
        var applied = await api.PatchAsync(widgets + "/st/status?fieldManager=controller&force=true", Apply, status);
        Assert.Equal(HttpStatusCode.OK, applied.Status);
        Assert.Equal("Ready", applied.Body["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(1, applied.Body["spec"]!["size"]!.GetValue<int>());
        var entry = applied.Body["metadata"]!["managedFields"]!.AsArray().Single(m => m!["manager"]!.GetValue<string>() == "controller")!;
        Assert.Equal("status", entry["subresource"]!.GetValue<string>());
    }
}
