using System.Text.Json.Nodes;
using SidePool.Testing;

namespace SidePool.Chart.Tests;

/// <summary>
/// <c>helm lint --strict</c> and <c>helm template</c> over <see cref="ValueSets"/>: every rendered object (the CRD
/// included) is valid against the Kubernetes 1.35 OpenAPI v3 documents (required fields, types, no unknown fields).
/// </summary>
public sealed class ChartTemplateTests
{
    private const string Namespace = "sidepool-system";

    /// <summary>Kinds of other projects (cert-manager, Prometheus Operator) that Kubernetes' OpenAPI cannot check.</summary>
    private static readonly HashSet<string> ThirdPartyKinds = new(StringComparer.Ordinal)
    {
        "cert-manager.io/v1/Issuer", "cert-manager.io/v1/Certificate",
        "monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PodMonitor", "monitoring.coreos.com/v1/PrometheusRule",
    };

    private static readonly Lazy<OpenApiSchemaValidator> Validator = new(() => new OpenApiSchemaValidator(Reference.OpenApiDirectory));

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Lints_strictly(string valueSet)
    {
        using var helm = new Helm();
        var values = helm.WriteFile(valueSet + ".yaml", ValueSets.All[valueSet]);
        var output = await helm.RunOkAsync("lint", "--strict", Helm.ChartDirectory, "-f", values);
        Assert.Contains("0 chart(s) failed", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ValueSets.Names), MemberType = typeof(ValueSets))]
    public async Task Every_rendered_object_is_valid_against_the_Kubernetes_OpenAPI(string valueSet)
    {
        var objects = await RenderAsync(valueSet);
        var problems = new List<string>();
        foreach (var obj in objects)
        {
            var apiVersion = obj["apiVersion"]!.GetValue<string>();
            var kind = obj["kind"]!.GetValue<string>();
            var name = obj["metadata"]?["name"]?.GetValue<string>();
            var (group, version) = apiVersion.Contains('/', StringComparison.Ordinal) ? (apiVersion.Split('/')[0], apiVersion.Split('/')[1]) : (string.Empty, apiVersion);
            if (ThirdPartyKinds.Contains($"{apiVersion}/{kind}"))
            {
                if (string.IsNullOrEmpty(name) || obj["spec"] is not JsonObject)
                {
                    problems.Add($"{kind}: needs metadata.name and spec");
                }

                continue;
            }

            var schema = Validator.Value.FindSchemaName(group, version, kind);
            if (schema is null)
            {
                problems.Add($"{apiVersion} {kind} {name}: no such kind in Kubernetes 1.35");
                continue;
            }

            problems.AddRange(Validator.Value.Validate(obj.ToJsonString(), schema).Select(p => $"{kind} {name}: {p}"));
        }

        Assert.True(problems.Count == 0, $"{valueSet}:\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task Defaults_render_the_operator_as_the_issue_asks()
    {
        var objects = await RenderAsync("defaults");
        var deployment = Single(objects, "Deployment");
        Assert.Equal(2, deployment["spec"]!["replicas"]!.GetValue<long>());
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Equal(65532, pod["securityContext"]!["runAsUser"]!.GetValue<long>());
        Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.True(container["securityContext"]!["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.False(container["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.Equal("ALL", container["securityContext"]!["capabilities"]!["drop"]![0]!.GetValue<string>());
        Assert.Equal("/healthz", container["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.Equal("/readyz", container["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>());
        Assert.NotNull(pod["affinity"]!["podAntiAffinity"]!["preferredDuringSchedulingIgnoredDuringExecution"]);
        Assert.Null(pod["hostNetwork"]);
        Assert.Null(pod["dnsPolicy"]);
        var args = Args(deployment);
        Assert.Contains("--leader-elect=true", args);
        Assert.Contains("--cert-mode=self-signed", args);
        Assert.DoesNotContain(args, a => a.StartsWith("--namespace", StringComparison.Ordinal) || a.StartsWith("--allowed-image-prefix", StringComparison.Ordinal));

        Assert.Equal(1, Single(objects, "PodDisruptionBudget")["spec"]!["minAvailable"]!.GetValue<long>());
        var ports = Single(objects, "Service")["spec"]!["ports"]!.AsArray().Select(p => p!["name"]!.GetValue<string>());
        Assert.Equal(["webhook", "metrics"], ports);

        var webhook = Single(objects, "MutatingWebhookConfiguration")["webhooks"]![0]!;
        Assert.Equal("Ignore", webhook["failurePolicy"]!.GetValue<string>());
        Assert.Equal("NoneOnDryRun", webhook["sideEffects"]!.GetValue<string>());
        Assert.InRange(webhook["timeoutSeconds"]!.GetValue<long>(), 1, 10);
        Assert.Equal("Never", webhook["reinvocationPolicy"]!.GetValue<string>());
        var excluded = webhook["namespaceSelector"]!["matchExpressions"]![0]!["values"]!.AsArray().Select(v => v!.GetValue<string>());
        Assert.Equal([Namespace, "kube-system"], excluded);
        Assert.Contains("kubernetes.io/config.mirror", webhook["matchConditions"]![0]!["expression"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("sidepool.dev/inject", webhook["objectSelector"]!["matchExpressions"]![0]!["key"]!.GetValue<string>());

        Assert.DoesNotContain(objects, o => o["apiVersion"]!.GetValue<string>().StartsWith("cert-manager.io", StringComparison.Ordinal));
        Assert.DoesNotContain(objects, o => o["apiVersion"]!.GetValue<string>().StartsWith("monitoring.coreos.com", StringComparison.Ordinal));
        Assert.Equal("connectionpools.sidepool.dev", Single(objects, "CustomResourceDefinition")["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Host_network_puts_the_operator_in_the_node_network_with_the_matching_dns_policy()
    {
        var pod = Single(await RenderAsync("host-network"), "Deployment")["spec"]!["template"]!["spec"]!;

        Assert.True(pod["hostNetwork"]!.GetValue<bool>());
        Assert.Equal("ClusterFirstWithHostNet", pod["dnsPolicy"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cert_manager_mode_mounts_its_Secret_and_asks_for_the_CA_injection()
    {
        var objects = await RenderAsync("cert-manager");
        var certificate = Single(objects, "Certificate");
        var deployment = Single(objects, "Deployment");
        Assert.Contains("--cert-mode=cert-manager", Args(deployment));
        Assert.Contains("--cert-dir=/etc/sidepool/webhook-tls", Args(deployment));
        var secret = deployment["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Single(v => v!["secret"] is not null)!["secret"]!["secretName"]!.GetValue<string>();
        Assert.Equal(certificate["spec"]!["secretName"]!.GetValue<string>(), secret);
        Assert.Equal(
            $"{Namespace}/{certificate["metadata"]!["name"]}",
            Single(objects, "MutatingWebhookConfiguration")["metadata"]!["annotations"]!["cert-manager.io/inject-ca-from"]!.GetValue<string>());
        Assert.Equal("Issuer", certificate["spec"]!["issuerRef"]!["kind"]!.GetValue<string>());
        Assert.Single(objects, o => o["kind"]!.GetValue<string>() == "Issuer");

        // The operator keeps no caBundle and no certificate Secret of its own: no rule for either.
        var rules = objects.Where(o => o["kind"]!.GetValue<string>() is "Role" or "ClusterRole").SelectMany(r => r["rules"]!.AsArray()).ToList();
        Assert.DoesNotContain(rules, r => r!["resources"]![0]!.GetValue<string>() == "mutatingwebhookconfigurations");

        var withIssuer = await RenderAsync("cert-manager-issuer");
        Assert.DoesNotContain(withIssuer, o => o["kind"]!.GetValue<string>() == "Issuer");
        Assert.Equal("corporate-ca", Single(withIssuer, "Certificate")["spec"]!["issuerRef"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watched_namespaces_get_Roles_and_the_webhook_only_their_pods()
    {
        var objects = await RenderAsync("watched-namespaces");
        var args = Args(Single(objects, "Deployment"));
        Assert.Equal(["--namespace=shop", "--namespace=billing"], args.Where(a => a.StartsWith("--namespace=", StringComparison.Ordinal)));
        foreach (var ns in new[] { "shop", "billing" })
        {
            var role = objects.Single(o => o["kind"]!.GetValue<string>() == "Role" && o["metadata"]!["namespace"]!.GetValue<string>() == ns);
            Assert.Contains(role["rules"]!.AsArray(), r => r!["resources"]![0]!.GetValue<string>() == "connectionpools");
            Assert.Contains(objects, o => o["kind"]!.GetValue<string>() == "RoleBinding" && o["metadata"]!["namespace"]!.GetValue<string>() == ns);
        }

        var clusterRole = Single(objects, "ClusterRole");
        var clusterResources = clusterRole["rules"]!.AsArray().SelectMany(r => r!["resources"]!.AsArray().Select(x => x!.GetValue<string>())).ToList();
        Assert.Equal(["mutatingwebhookconfigurations"], clusterResources); // mode native: no node informer
        var selector = Single(objects, "MutatingWebhookConfiguration")["webhooks"]![0]!["namespaceSelector"]!["matchExpressions"]!.AsArray();
        Assert.Contains(selector, e => e!["operator"]!.GetValue<string>() == "In" && e["values"]!.AsArray().Select(v => v!.GetValue<string>()).SequenceEqual(["shop", "billing"]));
    }

    [Fact]
    public async Task Opt_outs_custom_resources_and_allowed_prefixes_reach_the_objects()
    {
        var optOuts = Single(await RenderAsync("opt-outs"), "MutatingWebhookConfiguration")["webhooks"]![0]!;
        var expressions = optOuts["namespaceSelector"]!["matchExpressions"]!.AsArray();
        Assert.Equal([Namespace, "kube-system", "monitoring"], expressions[0]!["values"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Contains(expressions, e => e!["key"]!.GetValue<string>() == "example.com/no-pooler" && e["values"]![0]!.GetValue<string>() == "yes");
        Assert.Equal("example.com/pooler", optOuts["objectSelector"]!["matchExpressions"]![0]!["key"]!.GetValue<string>());
        Assert.Equal("IfNeeded", optOuts["reinvocationPolicy"]!.GetValue<string>());

        var custom = await RenderAsync("custom-resources");
        var deployment = Single(custom, "Deployment");
        var pod = deployment["spec"]!["template"]!["spec"]!;
        Assert.Null(pod["securityContext"]!["runAsUser"]);
        Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.Equal("200m", pod["containers"]![0]!["resources"]!["requests"]!["cpu"]!.GetValue<string>());
        Assert.NotNull(pod["affinity"]!["podAntiAffinity"]!["requiredDuringSchedulingIgnoredDuringExecution"]);
        var resources = Args(deployment).Single(a => a.StartsWith("--default-sidecar-resources=", StringComparison.Ordinal));
        var json = JsonNode.Parse(resources["--default-sidecar-resources=".Length..])!;
        Assert.Equal("25m", json["requests"]!["cpu"]!.GetValue<string>());

        var prefixes = Args(Single(await RenderAsync("allowed-prefixes"), "Deployment"));
        Assert.Contains("--allowed-image-prefix=registry.example.com/sidepool/", prefixes);
        Assert.Contains("--allowed-image-prefix=ghcr.io/sidepool/", prefixes);
        Assert.Contains("--log-level=debug", prefixes);
    }

    [Theory]
    [InlineData("webhook:\n  failurePolicy: Sometimes\n", "failurePolicy")]
    [InlineData("replicaCount: two\n", "replicaCount")]
    [InlineData("frobnicate: true\n", "frobnicate")]
    [InlineData("hostNetwork: \"yes\"\n", "hostNetwork")]
    [InlineData("webhook:\n  timeoutSeconds: 31\n", "timeoutSeconds")]
    [InlineData("certificates:\n  mode: files\n", "mode")]
    [InlineData("sidecar:\n  defaultResources:\n    requests: {cpu: [1]}\n", "cpu")]
    [InlineData("watchNamespaces: [shop, shop]\n", "/watchNamespaces")]
    [InlineData("watchNamespaces: [Shop]\n", "/watchNamespaces/0")]
    [InlineData("webhook:\n  podOptOutLabel: {key: \"bad key!\", value: \"false\"}\n", "podOptOutLabel/key")]
    public async Task The_schema_refuses_wrong_values(string values, string named)
    {
        using var helm = new Helm();
        var result = await helm.RunAsync("template", "t", Helm.ChartDirectory, "-f", helm.WriteFile("bad.yaml", values));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(named, result.Stderr, StringComparison.Ordinal);
    }

    internal static async Task<IReadOnlyList<JsonObject>> RenderAsync(string valueSet)
    {
        using var helm = new Helm();
        var values = helm.WriteFile(valueSet + ".yaml", ValueSets.All[valueSet]);
        var output = await helm.RunOkAsync("template", "sidepool", Helm.ChartDirectory, "-n", Namespace, "--include-crds", "-f", values);
        return YamlDocuments.Parse(output);
    }

    internal static List<string> Args(JsonObject deployment) =>
        [.. deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => a!.GetValue<string>())];

    private static JsonObject Single(IReadOnlyList<JsonObject> objects, string kind) => Assert.Single(objects, o => o["kind"]!.GetValue<string>() == kind);
}
