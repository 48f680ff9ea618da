using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Tests;

public sealed class ParserTests
{
    [Theory]
    [InlineData(".spec.size", "3")]
    [InlineData(".spec.ports[0].port", "6432")]
    [InlineData(".spec.ports[-1].port", "8080")]
    [InlineData(".status.conditions[?(@.type==\"Ready\")].status", "True")]
    [InlineData(".status.conditions[?(@.type=='Synced')].reason", "Later")]
    [InlineData(".metadata.labels['app.kubernetes.io/name']", "pool")]
    [InlineData("{.spec.size}", "3")]
    [InlineData(".spec.missing", "")]
    public void JsonPath_subset_of_printer_columns(string path, string expected)
    {
        var obj = JsonNode.Parse("""
            {"metadata":{"labels":{"app.kubernetes.io/name":"pool"}},
             "spec":{"size":3,"ports":[{"port":6432},{"port":8080}]},
             "status":{"conditions":[{"type":"Synced","status":"False","reason":"Later"},{"type":"Ready","status":"True"}]}}
            """)!.AsObject();
        Assert.Equal(expected, JsonNodes.ToPlainString(JsonPathEvaluator.Evaluate(obj, path)));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(119, "119s")]
    [InlineData(125, "2m5s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 120, "3h2m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(3 * 86400 + 3600, "3d1h")]
    [InlineData(20 * 86400, "20d")]
    public void Ages_are_formatted_like_kubectl(int seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Malformed_label_selector_is_a_bad_request()
    {
        var error = Assert.Throws<ApiException>(() => LabelSelector.Parse("a=b,,c"));
        Assert.Equal(400, error.Code);
    }

    [Fact]
    public void Yaml_scalars_follow_the_core_schema()
    {
        var obj = YamlToJson.ParseObject("a: 1\nb: \"1\"\nc: true\nd: ~\ne: 1.5\nf: text\ng: '10'\n");
        Assert.Equal("""{"a":1,"b":"1","c":true,"d":null,"e":1.5,"f":"text","g":"10"}""", obj.ToJsonString());
    }
}
