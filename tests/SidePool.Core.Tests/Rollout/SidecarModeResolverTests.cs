using Xunit;

namespace SidePool.Core.Tests;

public sealed class SidecarModeResolverTests
{
    [Theory]
    [InlineData("v1.29.0", true)]
    [InlineData("v1.30.4-eks-a737599", true)]
    [InlineData("1.33.1", true)]
    [InlineData("v2.0.0", true)]
    [InlineData("v1.28.9", false)]
    [InlineData("v1.9.0", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void KubeletVersions(string? version, bool native) => Assert.Equal(native, SidecarModeResolver.SupportsNative(version));

    [Fact]
    public void AutoIsNativeOnlyWhenEveryNodeIsNew()
    {
        Assert.Equal("native", SidecarModeResolver.Resolve("auto", ["v1.29.1", "v1.31.0"]));
        Assert.Equal("classic", SidecarModeResolver.Resolve("auto", ["v1.29.1", "v1.28.3"]));
        Assert.Equal("native", SidecarModeResolver.Resolve("auto", []));
    }

    [Fact]
    public void ExplicitModesIgnoreNodes()
    {
        Assert.Equal("classic", SidecarModeResolver.Resolve("classic", ["v1.33.0"]));
        Assert.Equal("native", SidecarModeResolver.Resolve("native", ["v1.20.0"]));
        Assert.Throws<ArgumentException>(() => SidecarModeResolver.Resolve("sometimes", []));
    }
}
