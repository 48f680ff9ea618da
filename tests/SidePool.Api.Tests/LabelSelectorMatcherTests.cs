using Xunit;

namespace SidePool.Api.Tests;

public sealed class LabelSelectorMatcherTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "orders", ["tier"] = "web" };

    [Fact]
    public void MatchLabelsMustAllBeEqual()
    {
        Assert.True(LabelSelectorMatcher.Matches(new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "orders" } }, Labels));
        Assert.False(LabelSelectorMatcher.Matches(new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "orders", ["tier"] = "db" } }, Labels));
    }

    [Theory]
    [InlineData("In", "web", true)]
    [InlineData("In", "db", false)]
    [InlineData("NotIn", "db", true)]
    [InlineData("NotIn", "web", false)]
    [InlineData("Exists", null, true)]
    [InlineData("DoesNotExist", null, false)]
    [InlineData("Bogus", null, false)]
    public void Expressions(string op, string? value, bool expected)
    {
        var selector = new LabelSelector { MatchExpressions = [new LabelSelectorRequirement { Key = "tier", OperatorProperty = op, Values = value is null ? null : [value] }] };
        Assert.Equal(expected, LabelSelectorMatcher.Matches(selector, Labels));
    }

    [Fact]
    public void AbsentKeysAndLabels()
    {
        var notIn = new LabelSelector { MatchExpressions = [new LabelSelectorRequirement { Key = "zone", OperatorProperty = "NotIn", Values = ["a"] }] };
        Assert.True(LabelSelectorMatcher.Matches(notIn, Labels));
        var inOrders = new LabelSelector { MatchExpressions = [new LabelSelectorRequirement { Key = "app", OperatorProperty = "In", Values = ["orders"] }] };
        Assert.False(LabelSelectorMatcher.Matches(inOrders, null));
        Assert.False(LabelSelectorMatcher.Matches(new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "Orders" } }, Labels));
    }

    [Fact]
    public void EmptyOrMissingSelectorMatchesNothing()
    {
        Assert.False(LabelSelectorMatcher.Matches(null, Labels));
        Assert.False(LabelSelectorMatcher.Matches(new LabelSelector(), Labels));
    }
}
