using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Cli;
using Xunit;

namespace SidePool.Crd.Tests;

public sealed class CrdBuilderTests
{
    private static readonly JsonObject Crd = CrdBuilder.Build();

    private static JsonObject Version => Crd["spec"]!["versions"]![0]!.AsObject();

    private static JsonObject Spec => Version["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!.AsObject();

    private static IEnumerable<(string Path, JsonObject Schema)> Walk(JsonObject schema, string path)
    {
        yield return (path, schema);
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                foreach (var item in Walk(child!.AsObject(), $"{path}.{name}"))
                {
                    yield return item;
                }
            }
        }

        foreach (var key in new[] { "items", "additionalProperties" })
        {
            if (schema[key] is JsonObject child)
            {
                foreach (var item in Walk(child, $"{path}[{key}]"))
                {
                    yield return item;
                }
            }
        }
    }

    [Fact]
    public void EverySchemaNodeIsTyped()
    {
        var nodes = Walk(Version["schema"]!["openAPIV3Schema"]!.AsObject(), "$").ToList();
        Assert.True(nodes.Count > 80, $"only {nodes.Count} schema nodes");
        foreach (var (path, schema) in nodes)
        {
            Assert.True(schema["type"] is JsonValue, $"{path} has no type");
            Assert.Contains(schema["type"]!.GetValue<string>(), new[] { "object", "array", "string", "integer", "boolean", "number" });
        }
    }

    [Fact]
    public void NamesScopeAndStatusSubresource()
    {
        Assert.Equal("connectionpools.sidepool.dev", Crd["metadata"]!["name"]!.GetValue<string>());
        var names = Crd["spec"]!["names"]!;
        Assert.Equal(["pool", "pools"], names["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["sidepool"], names["categories"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("Namespaced", Crd["spec"]!["scope"]!.GetValue<string>());
        Assert.NotNull(Version["subresources"]!["status"]);
        Assert.Equal(["Mode", "Version", "Pods", "Per-Version", "Outdated", "Ready", "Age"], Version["additionalPrinterColumns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
    }

    [Fact]
    public void DefaultsComeFromTheModel()
    {
        var pool = Spec["properties"]!["pool"]!["properties"]!;
        Assert.Equal(new PoolSettings().Size, pool["size"]!["default"]!.GetValue<int>());
        Assert.Equal("transaction", pool["mode"]!["default"]!.GetValue<string>());
        Assert.Equal("30s", pool["acquisitionTimeout"]!["default"]!.GetValue<string>());
        Assert.Equal(6432, Spec["properties"]!["sidecar"]!["properties"]!["port"]!["default"]!.GetValue<int>());
        Assert.Empty(Spec["properties"]!["pool"]!["default"]!.AsObject()); // default {} so nested defaults apply
        Assert.Null(Spec["properties"]!["backend"]!["properties"]!["host"]!["default"]);
    }

    [Fact]
    public void ConstraintsMatchTheValidator()
    {
        var backend = Spec["properties"]!["backend"]!;
        Assert.Equal(["host", "database", "credentialsSecret"], backend["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(1, backend["properties"]!["port"]!["minimum"]!.GetValue<long>());
        Assert.Equal(65535, backend["properties"]!["port"]!["maximum"]!.GetValue<long>());
        var pool = Spec["properties"]!["pool"]!;
        Assert.Equal(0, pool["properties"]!["minSize"]!["minimum"]!.GetValue<long>());
        Assert.Equal(Duration.Pattern, pool["properties"]!["idleTimeout"]!["pattern"]!.GetValue<string>());
        Assert.Equal(["session", "transaction", "statement"], pool["properties"]!["mode"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains(pool["x-kubernetes-validations"]!.AsArray(), r => r!["rule"]!.GetValue<string>() == "self.minSize <= self.size");
        var parameterRule = pool["properties"]!["parameters"]!["x-kubernetes-validations"]![0]!["rule"]!.GetValue<string>();
        foreach (var key in PgBouncerParameters.Allowed.Keys)
        {
            Assert.Contains($"'{key}'", parameterRule, StringComparison.Ordinal);
        }

        Assert.Equal(Naming.SingleLinePattern, pool["properties"]!["parameters"]!["additionalProperties"]!["pattern"]!.GetValue<string>());
        Assert.Equal(["Workload", "None"], Spec["properties"]!["rollout"]!["properties"]!["strategy"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public void ConditionsUseTheMetav1Shape()
    {
        var conditions = Version["schema"]!["openAPIV3Schema"]!["properties"]!["status"]!["properties"]!["conditions"]!;
        Assert.Equal("map", conditions["x-kubernetes-list-type"]!.GetValue<string>());
        Assert.Equal(["type", "status", "lastTransitionTime", "reason", "message"], conditions["items"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public void YamlReadsBackToTheSameTree()
    {
        var documents = YamlManifests.Parse(CrdDocument.Yaml(), "crd");
        var single = Assert.Single(documents);
        Assert.Equal(Crd.ToJsonString(), single.ToJsonString());
    }

    [Fact]
    public void PatternsCompileAsRe2CompatibleRegexes()
    {
        foreach (var (path, schema) in Walk(Version["schema"]!["openAPIV3Schema"]!.AsObject(), "$"))
        {
            if (schema["pattern"] is JsonValue pattern)
            {
                var text = pattern.GetValue<string>();
                _ = new System.Text.RegularExpressions.Regex(text);
                Assert.DoesNotContain("(?", text, StringComparison.Ordinal); // no lookarounds or inline options (RE2)
                Assert.StartsWith("^", text, StringComparison.Ordinal);
                Assert.EndsWith("$", text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Every_cross_field_rule_is_published_where_it_applies_and_no_other_rule_exists()
    {
        var published = Walk(Spec, "spec")
            .SelectMany(node => (node.Schema["x-kubernetes-validations"]?.AsArray() ?? []).Select(r => (node.Path, Rule: r!["rule"]!.GetValue<string>(), Message: r["message"]!.GetValue<string>())))
            .ToList();
        var expected = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["spec.selector"] = "selector",
            ["spec.backend"] = "backend",
            ["spec.pool"] = "pool",
        };

        foreach (var rule in CrossFieldRules.All)
        {
            Assert.Contains(published, p => p.Rule == rule.Cel && p.Message == rule.Message);
        }

        // the only rule not in CrossFieldRules is the parameters allow-list, generated from PgBouncerParameters.Allowed
        Assert.Equal(
            CrossFieldRules.All.Select(r => r.Cel).Append(published.Single(p => p.Path == "spec.pool.parameters").Rule).Order(StringComparer.Ordinal),
            published.Select(p => p.Rule).Order(StringComparer.Ordinal));
        Assert.All(published, p => Assert.True(expected.ContainsKey(p.Path) || p.Path == "spec.pool.parameters", p.Path));
    }
}
