using SidePool.Sandbox.Kubelet;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>
/// <c>$(VAR)</c> expansion as Kubernetes documents it ("Define Dependent Environment Variables"; the kubelet's
/// third_party/forked/golang/expansion tests): defined references expand, undefined ones stay verbatim, <c>$$</c> escapes.
/// </summary>
public sealed class EnvExpansionTests
{
    private static readonly Dictionary<string, string> Vars = new(StringComparer.Ordinal)
    {
        ["VAR_A"] = "A",
        ["VAR_B"] = "B",
        ["VAR_C"] = "C",
        ["VAR_REF"] = "$(VAR_A)",
        ["VAR_EMPTY"] = string.Empty,
    };

    [Theory]
    [InlineData("$(VAR_A)", "A")]
    [InlineData("___$(VAR_B)___", "___B___")]
    [InlineData("$(VAR_A)-$(VAR_A)", "A-A")]
    [InlineData("$(VAR_A)-1$(VAR_B)$(VAR_C)", "A-1BC")]
    [InlineData("$(VAR_DNE)", "$(VAR_DNE)")]
    [InlineData("$$(VAR_A)", "$(VAR_A)")]
    [InlineData("$$$(VAR_A)", "$A")]
    [InlineData("$$$$(VAR_A)", "$$(VAR_A)")]
    [InlineData("f00__(VAR_A)__", "f00__(VAR_A)__")]
    [InlineData("$(VAR_A", "$(VAR_A")]
    [InlineData("$VAR_A", "$VAR_A")]
    [InlineData("$", "$")]
    [InlineData("foo$", "foo$")]
    [InlineData("$(VAR_EMPTY)", "")]
    [InlineData("$(VAR_REF)", "$(VAR_A)")]
    [InlineData("$()", "$()")]
    [InlineData("$(VAR_A)$(VAR_DNE)$$", "A$(VAR_DNE)$")]
    [InlineData("", "")]
    public void Expands_like_the_kubelet(string input, string expected) =>
        Assert.Equal(expected, EnvExpansion.Expand(input, name => Vars.TryGetValue(name, out var value) ? value : null));
}
