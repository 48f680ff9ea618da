using System.Net;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary>More kubectl 1.32 commands against the fake server.</summary>
public sealed class KubectlCommandTests
{
    private const string ConfigMapYaml = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: ssa
        data:
          mode: session
        """;

    [Fact]
    public async Task Server_side_apply_reports_conflicts_and_force_conflicts_takes_ownership()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var kubectl = new Kubectl(server);
        using var api = new ApiClient(server);
        var file = kubectl.WriteFile("ssa.yaml", ConfigMapYaml);
        var changed = kubectl.WriteFile("ssa-other.yaml", ConfigMapYaml.Replace("session", "transaction", StringComparison.Ordinal));

        Assert.Contains("configmap/ssa serverside-applied", await kubectl.RunOkAsync("apply", "--server-side", "-f", file));
        var conflict = await kubectl.RunAsync("apply", "--server-side", "--field-manager=other", "-f", changed);
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("conflict with \"kubectl\"", conflict.StandardError, StringComparison.Ordinal);
        Assert.Contains(".data.mode", conflict.StandardError, StringComparison.Ordinal);

        await kubectl.RunOkAsync("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", changed);
        var stored = await api.GetAsync(Objects.ConfigMaps + "/ssa");
        Assert.Equal("transaction", stored.Body["data"]!["mode"]!.GetValue<string>());
        var owner = Assert.Single(stored.Body["metadata"]!["managedFields"]!.AsArray())!;
        Assert.Equal("other", owner["manager"]!.GetValue<string>());
    }

    [Fact]
    public async Task Typed_create_commands_label_annotate_replace_and_selectors_work()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var kubectl = new Kubectl(server);
        using var api = new ApiClient(server);

        Assert.Contains("namespace/team created", await kubectl.RunOkAsync("create", "namespace", "team"));
        Assert.Contains("configmap/settings created", await kubectl.RunOkAsync("create", "configmap", "settings", "-n", "team", "--from-literal=pool=transaction"));
        Assert.Contains("secret/creds created", await kubectl.RunOkAsync("create", "secret", "generic", "creds", "-n", "team", "--from-literal=password=hunter2"));
        var secret = await api.GetAsync("/api/v1/namespaces/team/secrets/creds");
        Assert.Equal("aHVudGVyMg==", secret.Body["data"]!["password"]!.GetValue<string>());
        Assert.Equal("Opaque", secret.Body["type"]!.GetValue<string>());

        Assert.Contains("configmap/settings labeled", await kubectl.RunOkAsync("label", "configmap", "settings", "-n", "team", "tier=gold"));
        Assert.Contains("configmap/settings annotated", await kubectl.RunOkAsync("annotate", "configmap", "settings", "-n", "team", "note=hello"));
        await kubectl.RunOkAsync("create", "configmap", "plain", "-n", "team");

        var selected = await kubectl.RunOkAsync("get", "configmaps", "-A", "-l", "tier=gold");
        var rows = selected.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAMESPACE", "NAME", "DATA", "AGE"], rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["team", "settings", "1"], rows[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..3]);
        Assert.Equal(2, rows.Length);
        var byField = await kubectl.RunOkAsync("get", "configmaps", "-n", "team", "--field-selector", "metadata.name=plain", "-o", "name");
        Assert.Equal("configmap/plain", byField.Trim());

        var yaml = (await kubectl.RunOkAsync("get", "configmap", "settings", "-n", "team", "-o", "yaml")).Replace("pool: transaction", "pool: session", StringComparison.Ordinal);
        Assert.Contains("configmap/settings replaced", await kubectl.RunOkAsync("replace", "-f", kubectl.WriteFile("settings.yaml", yaml)));
        var stored = await api.GetAsync("/api/v1/namespaces/team/configmaps/settings");
        Assert.Equal("session", stored.Body["data"]!["pool"]!.GetValue<string>());
        Assert.Equal("hello", stored.Body["metadata"]!["annotations"]!["note"]!.GetValue<string>());
        Assert.Equal("gold", stored.Body["metadata"]!["labels"]!["tier"]!.GetValue<string>());

        Assert.Contains("namespace \"team\" deleted", await kubectl.RunOkAsync("delete", "namespace", "team"));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/namespaces/team")).Status);
    }

    [Fact]
    public async Task Apply_of_a_deployment_keeps_container_fields_set_by_another_writer()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var kubectl = new Kubectl(server);
        using var api = new ApiClient(server);
        const string deployment = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 2
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                  - name: app
                    image: app:1
                    ports:
                    - containerPort: 8080
            """;
        var file = kubectl.WriteFile("deploy.yaml", deployment);
        Assert.Contains("deployment.apps/web created", await kubectl.RunOkAsync("apply", "-f", file));
        var injected = await api.PatchAsync("/apis/apps/v1/namespaces/default/deployments/web", "application/strategic-merge-patch+json",
            """{"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"PGHOST","value":"127.0.0.1"}]},{"name":"pgbouncer","image":"pgbouncer:1.23"}]}}}}""");
        Assert.Equal(HttpStatusCode.OK, injected.Status);

        kubectl.WriteFile("deploy.yaml", deployment.Replace("app:1", "app:2", StringComparison.Ordinal));
        Assert.Contains("deployment.apps/web configured", await kubectl.RunOkAsync("apply", "-f", file));
        var stored = await api.GetAsync("/apis/apps/v1/namespaces/default/deployments/web");
        var containers = stored.Body["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["app", "pgbouncer"], containers.Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("app:2", containers[0]!["image"]!.GetValue<string>());
        Assert.Equal("PGHOST", containers[0]!["env"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(2, Objects.Generation(stored.Body) - 1);

        Assert.Contains("deployment.apps/web scaled", await kubectl.RunOkAsync("scale", "deployment", "web", "--replicas=5"));
        var scale = await api.GetAsync("/apis/apps/v1/namespaces/default/deployments/web/scale");
        Assert.Equal("Scale", scale.Body["kind"]!.GetValue<string>());
        Assert.Equal(5, scale.Body["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("app=web", scale.Body["status"]!["selector"]!.GetValue<string>());
        var scaled = await api.GetAsync("/apis/apps/v1/namespaces/default/deployments/web");
        Assert.Equal(5, scaled.Body["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(4, Objects.Generation(scaled.Body));
    }

    [Fact]
    public async Task Describe_lists_events_found_by_involvedObject_field_selectors()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var kubectl = new Kubectl(server);
        using var api = new ApiClient(server);
        var configMap = await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("described"));
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await api.CreateAsync("/api/v1/namespaces/default/events", new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "described.1" },
            ["involvedObject"] = new System.Text.Json.Nodes.JsonObject
            {
                ["kind"] = "ConfigMap",
                ["namespace"] = "default",
                ["name"] = "described",
                ["uid"] = configMap["metadata"]!["uid"]!.DeepClone(),
                ["apiVersion"] = "v1",
            },
            ["reason"] = "PoolSynced",
            ["message"] = "pgbouncer configuration rendered",
            ["type"] = "Normal",
            ["count"] = 1,
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
            ["source"] = new System.Text.Json.Nodes.JsonObject { ["component"] = "sidepool" },
        });
        await api.CreateAsync("/api/v1/namespaces/default/events", new System.Text.Json.Nodes.JsonObject
        {
            ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "unrelated.1" },
            ["involvedObject"] = new System.Text.Json.Nodes.JsonObject { ["kind"] = "ConfigMap", ["namespace"] = "default", ["name"] = "other", ["uid"] = "x" },
            ["reason"] = "Unrelated",
            ["type"] = "Warning",
        });

        var description = await kubectl.RunOkAsync("describe", "configmap", "described");
        Assert.Contains("PoolSynced", description, StringComparison.Ordinal);
        Assert.Contains("pgbouncer configuration rendered", description, StringComparison.Ordinal);
        Assert.DoesNotContain("Unrelated", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diff_uses_server_dry_run_and_wait_sees_the_crd_established()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var kubectl = new Kubectl(server);
        using var api = new ApiClient(server);
        var file = kubectl.WriteFile("ssa.yaml", ConfigMapYaml);
        await kubectl.RunOkAsync("apply", "-f", file);

        kubectl.WriteFile("ssa.yaml", ConfigMapYaml.Replace("session", "statement", StringComparison.Ordinal));
        var diff = await kubectl.RunAsync("diff", "-f", file);
        Assert.Equal(1, diff.ExitCode);
        Assert.Contains("-  mode: session", diff.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("+  mode: statement", diff.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("session", (await api.GetAsync(Objects.ConfigMaps + "/ssa")).Body["data"]!["mode"]!.GetValue<string>());

        await api.CreateAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Objects.Crd("widgets", "Widget", "example.com"));
        Assert.Contains("condition met", await kubectl.RunOkAsync("wait", "--for=condition=established", "crd/widgets.example.com", "--timeout=10s"));
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io \"widgets.example.com\" deleted", await kubectl.RunOkAsync("delete", "crd", "widgets.example.com"));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/apis/example.com/v1/namespaces/default/widgets")).Status);
    }
}
