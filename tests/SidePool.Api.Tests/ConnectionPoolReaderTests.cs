using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace SidePool.Api.Tests;

public sealed class ConnectionPoolReaderTests
{
    private const string Minimal = """
        {"apiVersion":"sidepool.dev/v1alpha1","kind":"ConnectionPool","metadata":{"name":"orders-db"},
         "spec":{"selector":{"matchLabels":{"app":"orders"}},
                 "backend":{"host":"db","database":"orders","credentialsSecret":{"name":"creds"}}}}
        """;

    private static JsonNode Doc(Action<JsonNode>? change = null)
    {
        var node = JsonNode.Parse(Minimal)!;
        change?.Invoke(node);
        return node;
    }

    [Fact]
    public void ReadsAndDefaults()
    {
        var pool = ConnectionPoolReader.Read(Doc(), "pool.yaml");
        Assert.Equal("orders-db", pool.Metadata.Name);
        Assert.Equal(10, pool.Spec!.Pool.Size);
    }

    [Theory]
    [InlineData("spec.pool", """{"sise": 3}""", "spec.pool.sise", "unknown field")]
    [InlineData("spec.pool", """{"size": "ten"}""", "spec.pool.size", "must be a whole number")]
    [InlineData("spec.pool", """{"size": 1.5}""", "spec.pool.size", "must be a whole number")]
    [InlineData("spec.sidecar", """{"unixSocket": "yes"}""", "spec.sidecar.unixSocket", "must be true or false")]
    [InlineData("spec.pool", """{"parameters": ["a"]}""", "spec.pool.parameters", "must be a map of strings")]
    [InlineData("spec.backend", """{"host": 5}""", "spec.backend.host", "must be a string")]
    public void TypeErrorsNameTheField(string at, string json, string field, string message)
    {
        var doc = Doc(n =>
        {
            var parts = at.Split('.');
            n[parts[0]]![parts[1]] = JsonNode.Parse(json);
            if (parts[1] == "backend")
            {
                n["spec"]!["backend"]!["database"] = "orders";
                n["spec"]!["backend"]!["credentialsSecret"] = JsonNode.Parse("""{"name":"c"}""");
            }
        });
        var e = Assert.Throws<InvalidManifestException>(() => ConnectionPoolReader.Read(doc, "pool.yaml"));
        var error = Assert.Single(e.Errors);
        Assert.Equal(field, error.Field);
        Assert.Equal(message, error.Message);
        Assert.StartsWith("pool.yaml: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidationErrorsAreAllReported()
    {
        var doc = Doc(n => n["spec"]!["pool"] = JsonNode.Parse("""{"size": 2, "minSize": 3, "mode": "x"}"""));
        var e = Assert.Throws<InvalidManifestException>(() => ConnectionPoolReader.Read(doc, "pool.yaml"));
        Assert.Contains(e.Errors, x => x.Field == "spec.pool.minSize");
        Assert.Contains(e.Errors, x => x.Field == "spec.pool.mode");
    }

    [Fact]
    public void RoundTripsThroughJsonWithStatus()
    {
        var pool = ConnectionPoolReader.Read(Doc(), "pool.yaml") with
        {
            Status = new ConnectionPoolStatus
            {
                ObservedGeneration = 3,
                CurrentVersion = "7f3c9a21d4",
                Conditions = [new V1Condition { Type = "Ready", Status = "True", Reason = "AllPodsReady", Message = "", LastTransitionTime = new DateTimeOffset(2026, 11, 21, 20, 0, 0, TimeSpan.Zero).UtcDateTime }],
            },
        };
        var json = JsonSerializer.Serialize(pool, ApiJsonContext.Default.ConnectionPool);
        Assert.Contains("\"lastTransitionTime\":\"2026-11-21T20:00:00Z\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize(json, ApiJsonContext.Default.ConnectionPool)!;
        Assert.Equal(json, JsonSerializer.Serialize(back, ApiJsonContext.Default.ConnectionPool));
        Assert.Equal(3, back.Status!.ObservedGeneration);
    }
}
