using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary>The real kubectl 1.32 against the fake server.</summary>
public sealed class KubectlFidelityTests
{
    private const string ConfigMapYaml = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: demo
          labels:
            app: demo
        data:
          greeting: hello
        """;

    private const string CrdYaml = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: gadgets.test.sidepool.dev
        spec:
          group: test.sidepool.dev
          scope: Namespaced
          names:
            kind: Gadget
            plural: gadgets
            singular: gadget
            shortNames: [gd]
          versions:
          - name: v1alpha1
            served: true
            storage: true
            subresources:
              status: {}
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-preserve-unknown-fields: true
            additionalPrinterColumns:
            - name: Replicas
              type: integer
              jsonPath: .spec.replicas
            - name: Phase
              type: string
              jsonPath: .status.phase
            - name: Ready
              type: string
              jsonPath: .status.conditions[?(@.type=="Ready")].status
            - name: First-Port
              type: integer
              jsonPath: .spec.ports[0].port
        """;

    private const string GadgetYaml = """
        apiVersion: test.sidepool.dev/v1alpha1
        kind: Gadget
        metadata:
          name: g1
        spec:
          replicas: 3
          ports:
          - port: 6432
        """;

    [Fact]
    public async Task Apply_creates_then_reconfigures_a_ConfigMap()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var kubectl = new Kubectl(server);
        using var api = new ApiClient(server);
        var file = kubectl.WriteFile("cm.yaml", ConfigMapYaml);

        Assert.Contains("configmap/demo created", await kubectl.RunOkAsync("apply", "-f", file));
        Assert.Contains("configmap/demo unchanged", await kubectl.RunOkAsync("apply", "-f", file));
        kubectl.WriteFile("cm.yaml", ConfigMapYaml.Replace("hello", "bonjour", StringComparison.Ordinal));
        Assert.Contains("configmap/demo configured", await kubectl.RunOkAsync("apply", "-f", file));

        var stored = await api.GetAsync(Objects.ConfigMaps + "/demo");
        Assert.Equal("bonjour", stored.Body["data"]!["greeting"]!.GetValue<string>());
        Assert.Contains("last-applied-configuration", stored.Body["metadata"]!["annotations"]!.ToJsonString(), StringComparison.Ordinal);
        var managers = stored.Body["metadata"]!["managedFields"]!.AsArray().Select(m => m!["manager"]!.GetValue<string>()).ToList();
        Assert.Contains("kubectl-client-side-apply", managers);
    }

    [Fact]
    public async Task Apply_crd_then_custom_resource_and_get_shows_printer_columns()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var kubectl = new Kubectl(server);
        using var api = new ApiClient(server);

        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/gadgets.test.sidepool.dev created", await kubectl.RunOkAsync("apply", "-f", kubectl.WriteFile("crd.yaml", CrdYaml)));
        Assert.Contains("gadget.test.sidepool.dev/g1 created", await kubectl.RunOkAsync("apply", "-f", kubectl.WriteFile("g1.yaml", GadgetYaml)));
        var status = """{"status":{"phase":"Running","conditions":[{"type":"Progressing","status":"False"},{"type":"Ready","status":"True"}]}}""";
        var patched = await api.PatchAsync("/apis/test.sidepool.dev/v1alpha1/namespaces/default/gadgets/g1/status", "application/merge-patch+json", status);
        Assert.Equal(HttpStatusCode.OK, patched.Status);

        var table = await kubectl.RunOkAsync("get", "gadgets");
        var lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAME", "REPLICAS", "PHASE", "READY", "FIRST-PORT"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["g1", "3", "Running", "True", "6432"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));

        var byShortName = await kubectl.RunOkAsync("get", "gd", "g1", "-o", "name");
        Assert.Equal("gadget.test.sidepool.dev/g1", byShortName.Trim());
        var crds = await kubectl.RunOkAsync("get", "crd");
        Assert.Contains("gadgets.test.sidepool.dev", crds, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_watch_prints_a_line_for_an_update_made_through_the_api()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var kubectl = new Kubectl(server);
        using var api = new ApiClient(server);
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("watched", new JsonObject { ["a"] = "1" }));

        using var watch = kubectl.Start("get", "configmaps", "-w");
        await watch.WaitForLineAsync(l => l.StartsWith("NAME", StringComparison.Ordinal), "the header");
        await watch.WaitForLineAsync(l => l.StartsWith("watched ", StringComparison.Ordinal), "the initial row");

        var patched = await api.PatchAsync(Objects.ConfigMaps + "/watched", "application/merge-patch+json", """{"data":{"b":"2","c":"3"}}""");
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        var updated = await watch.WaitForLineAsync(l => l.StartsWith("watched ", StringComparison.Ordinal), "the updated row");
        Assert.Equal("3", updated.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("added-later"));
        await watch.WaitForLineAsync(l => l.StartsWith("added-later ", StringComparison.Ordinal), "the row of a new object");
    }

    [Fact]
    public async Task Patch_merge_and_json_then_get_yaml_and_delete()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var kubectl = new Kubectl(server);
        using var api = new ApiClient(server);
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("patchme", new JsonObject { ["keep"] = "yes", ["drop"] = "soon" }));

        Assert.Contains("configmap/patchme patched", await kubectl.RunOkAsync("patch", "configmap", "patchme", "--type", "merge", "-p", """{"data":{"merged":"1","drop":null}}"""));
        Assert.Contains("configmap/patchme patched", await kubectl.RunOkAsync("patch", "configmap", "patchme", "--type", "json", "-p", """[{"op":"test","path":"/data/keep","value":"yes"},{"op":"add","path":"/data/json","value":"2"}]"""));
        var failed = await kubectl.RunAsync("patch", "configmap", "patchme", "--type", "json", "-p", """[{"op":"test","path":"/data/keep","value":"no"}]""");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("the server rejected our request due to an error in our request", failed.StandardError, StringComparison.Ordinal);

        var yaml = await kubectl.RunOkAsync("get", "configmap", "patchme", "-o", "yaml");
        Assert.Contains("kind: ConfigMap", yaml, StringComparison.Ordinal);
        Assert.Contains("  merged: \"1\"", yaml, StringComparison.Ordinal);
        Assert.Contains("  json: \"2\"", yaml, StringComparison.Ordinal);
        Assert.Contains("  keep: \"yes\"", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("drop", yaml, StringComparison.Ordinal);
        Assert.Matches("resourceVersion: \"\\d+\"", yaml);
        Assert.Matches("uid: [0-9a-f-]{36}", yaml);

        Assert.Contains("configmap \"patchme\" deleted", await kubectl.RunOkAsync("delete", "configmap", "patchme"));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(Objects.ConfigMaps + "/patchme")).Status);
        var missing = await kubectl.RunAsync("get", "configmap", "patchme");
        Assert.Contains("NotFound", missing.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_works_over_https_with_a_bearer_token_and_unauthenticated_requests_get_401()
    {
        using var certificate = TestCertificates.CreateServerCertificate();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { ServerCertificate = certificate, RequiredBearerToken = "s3cret" });
        using var kubectl = new Kubectl(server, "default");
        Assert.Equal("https", server.BaseAddress.Scheme);

        var namespaces = await kubectl.RunOkAsync("get", "namespaces", "-o", "name");
        Assert.Contains("namespace/default", namespaces, StringComparison.Ordinal);
        Assert.Contains("configmap/demo created", await kubectl.RunOkAsync("apply", "-f", kubectl.WriteFile("cm.yaml", ConfigMapYaml)));

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var anonymous = new ApiClient(server, handler: handler);
        var denied = await anonymous.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.Status);
        Assert.Equal("Status", denied.Body["kind"]!.GetValue<string>());
        Assert.Equal("Unauthorized", denied.Reason);
    }

    [Fact]
    public async Task Client_certificates_are_required_when_configured_and_the_kubeconfig_carries_one()
    {
        using var certificate = TestCertificates.CreateServerCertificate();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { ServerCertificate = certificate, RequireClientCertificate = true });
        using var kubectl = new Kubectl(server);
        Assert.NotNull(server.ClientCertificate);
        Assert.Contains("client-key-data", await File.ReadAllTextAsync(kubectl.Kubeconfig), StringComparison.Ordinal);

        Assert.Contains("namespace/kube-system", await kubectl.RunOkAsync("get", "namespaces", "-o", "name"), StringComparison.Ordinal);

        using var withoutCertificate = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var anonymous = new ApiClient(server, handler: withoutCertificate);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.GetAsync("/api/v1/namespaces"));

        using var withCertificate = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        withCertificate.ClientCertificates.Add(server.ClientCertificate!);
        using var authenticated = new ApiClient(server, handler: withCertificate);
        using var watch = await authenticated.WatchAsync("/api/v1/namespaces?watch=true");
        Assert.Equal("ADDED", (await watch.NextAsync())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Project_crd_and_every_sample_apply_and_print_their_columns()
    {
        var root = RepositoryRoot();
        var crd = Path.Combine(root, "crds", "sidepool.dev_connectionpools.yaml");
        var samples = Directory.GetFiles(Path.Combine(root, "config", "samples"), "*.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.True(File.Exists(crd), $"{crd} is missing");
        Assert.NotEmpty(samples);
        await using var server = await FakeApiServer.StartAsync();
        using var kubectl = new Kubectl(server);
        using var api = new ApiClient(server);

        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/connectionpools.sidepool.dev created", await kubectl.RunOkAsync("apply", "-f", crd));
        Assert.Contains("condition met", await kubectl.RunOkAsync("wait", "--for=condition=established", "crd/connectionpools.sidepool.dev", "--timeout=10s"));
        var namespaces = samples.SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"(?m)^\s+namespace:\s*(\S+)\s*$").Select(m => m.Groups[1].Value)).Distinct().ToList();
        foreach (var ns in namespaces)
        {
            await kubectl.RunOkAsync("create", "namespace", ns);
        }

        var pools = new List<string>();
        foreach (var sample in samples)
        {
            var documents = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(sample), @"(?m)^kind:\s*(\S+)").Count;
            var output = await kubectl.RunOkAsync("apply", "-f", sample);
            Assert.Equal(documents, output.Split('\n').Count(l => l.EndsWith(" created", StringComparison.Ordinal)));
            pools.AddRange(output.Split('\n').Where(l => l.StartsWith("connectionpool.sidepool.dev/", StringComparison.Ordinal)).Select(l => l.Split(' ')[0].Split('/')[1]));
            Assert.Contains("unchanged", await kubectl.RunOkAsync("apply", "-f", sample), StringComparison.Ordinal);
        }

        Assert.NotEmpty(pools);
        var first = await api.GetAsync("/apis/sidepool.dev/v1alpha1/connectionpools?fieldSelector=metadata.name%3D" + pools[0]);
        var ns0 = Assert.Single(first.Body["items"]!.AsArray())!["metadata"]!["namespace"]!.GetValue<string>();
        var status = """{"status":{"currentVersion":"v7","podsPerVersion":"v7:3 v6:1","targets":{"pods":4,"outdated":1},"conditions":[{"type":"Ready","status":"True","reason":"Synced","message":"ok","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""";
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync($"/apis/sidepool.dev/v1alpha1/namespaces/{ns0}/connectionpools/{pools[0]}/status", "application/merge-patch+json", status)).Status);

        var table = (await kubectl.RunOkAsync("get", "pools", "-A")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAMESPACE", "NAME", "MODE", "VERSION", "PODS", "PER-VERSION", "OUTDATED", "READY", "AGE"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(pools.Count + 1, table.Length);
        // Columns are separated by 3 spaces; "v7:3 v6:1" is one column.
        var row = table.Single(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == pools[0]).Split("   ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["transaction", "v7", "4", "v7:3 v6:1", "1", "True"], row[^7..^1]);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Operator.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
