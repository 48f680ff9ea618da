using Xunit;

namespace SidePool.PgBouncer.Admin.Tests;

public sealed class PgBouncerVersionTests
{
    [Theory]
    [InlineData("PgBouncer 1.18.0", 1, 18, 0)]
    [InlineData("PgBouncer 1.23.1\nlibevent 2.1.12-stable", 1, 23, 1)]
    [InlineData("1.24", 1, 24, 0)]
    public void Parses_version_text(string text, int major, int minor, int patch) =>
        Assert.Equal(new PgBouncerVersion(major, minor, patch), PgBouncerVersion.Parse(text));

    [Fact]
    public void Features_follow_the_version()
    {
        Assert.False(PgBouncerVersion.Parse("1.18.0").SupportsGracefulShutdownCommands);
        Assert.False(PgBouncerVersion.Parse("1.22.9").SupportsGracefulShutdownCommands);
        Assert.True(PgBouncerVersion.Parse("1.23.0").SupportsGracefulShutdownCommands);
        Assert.False(PgBouncerVersion.Parse("1.24.1").ReportsReloadErrors);
        Assert.True(PgBouncerVersion.Parse("1.25.0").ReportsReloadErrors);
        Assert.True(PgBouncerVersion.Parse("1.9.0") < PgBouncerVersion.Parse("1.18.0"));
    }

    [Fact]
    public void Rejects_text_without_a_version() =>
        Assert.False(PgBouncerVersion.TryParse("no version here", out _));

    [Fact]
    public void Endpoint_description_never_contains_the_password()
    {
        var endpoint = AdminEndpoint.UnixSocket("/run/x", 6432, "admin", "hunter2");
        Assert.DoesNotContain("hunter2", endpoint.ToString(), StringComparison.Ordinal);
        Assert.Equal("/run/x/.s.PGSQL.6432", endpoint.SocketPath);
    }
}
