using System.Text.Json.Nodes;
using SidePool.Kubernetes.Models;
using SidePool.Kubernetes.Tests.Support;
using SidePool.Testing;
using Xunit;

namespace SidePool.Kubernetes.Tests.OpenApi;

/// <summary>Every model the client serializes is accepted by the Kubernetes 1.35 OpenAPI schemas.</summary>
public sealed class OpenApiConformanceTests
{
    private static readonly Lazy<OpenApiSchemaValidator> Validator = new(() => new OpenApiSchemaValidator(ReferenceData.OpenApi(string.Empty)));

    public static TheoryData<string> ModelNames => new(RealisticModels.All().Select(m => m.Name));

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Model_validates_against_the_kubernetes_schema(string name)
    {
        var (_, json, schema) = RealisticModels.All().Single(m => m.Name == name);
        var errors = Validator.Value.Validate(json, schema);
        Assert.True(errors.Count == 0, $"{name}:\n{string.Join('\n', errors)}\n{json}");
    }

    [Fact]
    public void Every_built_in_resource_descriptor_matches_a_schema_and_every_model_is_covered()
    {
        var descriptors = typeof(KubernetesResources).GetProperties()
            .Select(p => p.GetValue(null))
            .Select(d => (ApiResource)d!.GetType().GetProperty("Resource")!.GetValue(d)!)
            .ToList();
        Assert.Equal(15, descriptors.Count);
        var tested = RealisticModels.All().Select(m => m.Schema).ToHashSet();
        foreach (var resource in descriptors)
        {
            var schema = Validator.Value.FindSchemaName(resource.Group, resource.Version, resource.Kind);
            Assert.True(schema is not null, $"no schema for {resource.ApiVersion} {resource.Kind}");
            Assert.Contains(schema, tested);
        }
    }

    [Fact]
    public void Checker_reports_an_unknown_property()
    {
        var pod = JsonNode.Parse(RealisticModels.All().Single(m => m.Name == "Pod").Json)!;
        pod["spec"]!["initContainers"]![0]!["restartPolicyy"] = "Always";
        var errors = Validator.Value.Validate(pod.ToJsonString(), "io.k8s.api.core.v1.Pod");
        Assert.Contains(errors, e => e.Contains("$.spec.initContainers[0].restartPolicyy: unknown property", StringComparison.Ordinal));
    }

    [Fact]
    public void Checker_reports_wrong_types_missing_required_and_bad_formats()
    {
        var errors = Validator.Value.Validate(
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x","creationTimestamp":"yesterday"},"spec":{"containers":[{"image":"x","ports":[{"containerPort":"80"}]}],"terminationGracePeriodSeconds":1.5,"hostNetwork":"yes"}}""",
            "io.k8s.api.core.v1.Pod");
        Assert.Contains(errors, e => e.Contains("$.metadata.creationTimestamp", StringComparison.Ordinal) && e.Contains("RFC 3339", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.spec.containers[0]: required property 'name'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.spec.containers[0].ports[0].containerPort: expected an integer", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.spec.terminationGracePeriodSeconds: expected an integer", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.spec.hostNetwork: expected a boolean", StringComparison.Ordinal));
    }

    [Fact]
    public void Checker_reports_int_or_string_mismatch_base64_and_kind()
    {
        var errors = Validator.Value.Validate(
            """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"binaryData":{"a":"%%%"}}""",
            "io.k8s.api.core.v1.Secret");
        Assert.Contains(errors, e => e.Contains("group-version-kind", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("$.binaryData: unknown property", StringComparison.Ordinal));

        var probe = Validator.Value.Validate("""{"port":true}""", "io.k8s.api.core.v1.HTTPGetAction");
        Assert.Contains(probe, e => e.Contains("$.port: matches none", StringComparison.Ordinal));
        var secret = Validator.Value.Validate("""{"apiVersion":"v1","kind":"Secret","data":{"a":"not base64!"}}""", "io.k8s.api.core.v1.Secret");
        Assert.Contains(secret, e => e.Contains("$.data.a: not base64", StringComparison.Ordinal));
    }
}
