using SidePool.Kubernetes.Models;
using Xunit;

namespace SidePool.Injection.Tests;

public sealed class PodSelectorTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "orders", ["tier"] = "web" };

    [Fact]
    public void Match_labels_and_expressions_must_all_hold()
    {
        Assert.True(PodSelector.Matches(new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "orders" } }, Labels));
        Assert.False(PodSelector.Matches(new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "shop" } }, Labels));
        Assert.True(PodSelector.Matches(Expression("tier", "In", "web", "api"), Labels));
        Assert.False(PodSelector.Matches(Expression("tier", "NotIn", "web"), Labels));
        Assert.True(PodSelector.Matches(Expression("zone", "NotIn", "a"), Labels));
        Assert.True(PodSelector.Matches(Expression("app", "Exists"), Labels));
        Assert.False(PodSelector.Matches(Expression("app", "DoesNotExist"), Labels));
        Assert.False(PodSelector.Matches(Expression("app", "Gt", "1"), Labels));
        Assert.False(PodSelector.Matches(Expression("app", "In", "orders"), null));
    }

    [Fact]
    public void Empty_selectors_select_nothing()
    {
        Assert.False(PodSelector.Matches(null, Labels));
        Assert.False(PodSelector.Matches(new LabelSelector(), Labels));
    }

    private static LabelSelector Expression(string key, string op, params string[] values) =>
        new() { MatchExpressions = [new LabelSelectorRequirement { Key = key, Operator = op, Values = values }] };
}
