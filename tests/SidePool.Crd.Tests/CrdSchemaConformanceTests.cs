using System.Text.Json.Nodes;
using SidePool.Testing;
using Xunit;

namespace SidePool.Crd.Tests;

/// <summary>The generated CRD against the real apiextensions.k8s.io/v1 schema of Kubernetes 1.35.</summary>
public sealed class CrdSchemaConformanceTests
{
    private static readonly OpenApiSchemaValidator Validator = new(Reference.OpenApiDirectory);

    [Fact]
    public void CrdValidatesAgainstTheApiExtensionsSchema()
    {
        var schema = Validator.FindSchemaName("apiextensions.k8s.io", "v1", "CustomResourceDefinition");
        Assert.Equal("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition", schema);
        var errors = Validator.Validate(CrdBuilder.Build().ToJsonString(), schema!);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void ValidatorCatchesAMistakeInACrd()
    {
        // Control: the check is not vacuous.
        var crd = CrdBuilder.Build();
        crd["spec"]!["versions"]![0]!["served"] = "yes";
        crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["propertys"] = new JsonObject();
        var errors = Validator.Validate(crd.ToJsonString(), "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition");
        Assert.Contains(errors, e => e.Contains("served", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("propertys", StringComparison.Ordinal));
    }
}
