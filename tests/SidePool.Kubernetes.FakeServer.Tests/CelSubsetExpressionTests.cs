using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Admission;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary>The CEL subset used for webhook match conditions: what it evaluates, and that it refuses what it cannot.</summary>
public sealed class CelSubsetExpressionTests
{
    private static readonly Dictionary<string, JsonNode?> Variables = new(StringComparer.Ordinal)
    {
        ["object"] = JsonNode.Parse("""{"metadata":{"name":"web-1","labels":{"app":"web","sidepool.dev/pool":"orders"}},"spec":{"containers":[{"name":"app"}]}}"""),
        ["oldObject"] = null,
        ["request"] = JsonNode.Parse("""{"operation":"CREATE","namespace":"shop","userInfo":{"username":"system:serviceaccount:kube-system:replicaset-controller"}}"""),
    };

    [Theory]
    [InlineData("has(object.metadata.labels)", true)]
    [InlineData("has(object.metadata.annotations)", false)]
    [InlineData("!has(object.metadata.annotations)", true)]
    [InlineData("'sidepool.dev/pool' in object.metadata.labels", true)]
    [InlineData("'missing' in object.metadata.labels", false)]
    [InlineData("object.metadata.labels['sidepool.dev/pool'] == 'orders'", true)]
    [InlineData("object.metadata.labels.app != \"web\"", false)]
    [InlineData("request.operation == 'CREATE' && request.namespace != 'kube-system'", true)]
    [InlineData("request.operation == 'UPDATE' || object.spec.containers[0].name == 'app'", true)]
    [InlineData("oldObject == null", true)]
    [InlineData("(false || true) && !(1 == 2)", true)]
    [InlineData("false && object.metadata.labels.nope == 'x'", false)]
    [InlineData("object.metadata.labels.nope == 'x' || true", true)]
    public void Evaluates_the_subset(string expression, bool expected) =>
        Assert.Equal(expected, CelSubsetExpression.Parse(expression).Evaluate(Variables));

    [Theory]
    [InlineData("object.metadata.labels.nope == 'x'", "no such key: nope")]
    [InlineData("oldObject.metadata.name == 'x'", "no such key: metadata")]
    [InlineData("object.metadata.name", "no matching overload")]
    [InlineData("true && object.metadata.labels.nope == 'x'", "no such key: nope")]
    public void Run_time_errors_are_reported_as_cel_errors(string expression, string message)
    {
        var error = Assert.Throws<CelEvaluationException>(() => CelSubsetExpression.Parse(expression).Evaluate(Variables));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("object.metadata.name.startsWith('web')")]
    [InlineData("size(object.spec.containers) > 0")]
    [InlineData("authorizer.requestResource.check('get').allowed()")]
    [InlineData("object.spec.containers.exists(c, c.name == 'app')")]
    [InlineData("object.metadata.generation + 1 == 2")]
    [InlineData("'a' < 'b'")]
    [InlineData("params.x == 1")]
    public void Expressions_outside_the_subset_are_refused(string expression) =>
        Assert.Throws<CelUnsupportedException>(() => CelSubsetExpression.Parse(expression));
}
