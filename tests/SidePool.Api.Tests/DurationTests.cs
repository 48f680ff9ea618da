using SidePool.Api;
using Xunit;

namespace SidePool.Api.Tests;

public sealed class DurationTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1m30s", 90)]
    [InlineData("250ms", 0.25)]
    [InlineData("1.5s", 1.5)]
    [InlineData("0", 0)]
    [InlineData("2h0m10s", 7210)]
    public void ParsesKubernetesStyleDurations(string text, double seconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("-5s")]
    [InlineData("5 m")]
    [InlineData("1d")]
    [InlineData("1h 30m")]
    [InlineData("PT30S")]
    [InlineData("5m\n")]
    [InlineData("9999999h")]
    [InlineData(null)]
    public void RejectsMalformedDurations(string? text)
    {
        Assert.False(Duration.TryParse(text, out _));
    }

    [Fact]
    public void PatternAcceptsExactlyWhatTheParserAccepts()
    {
        var pattern = new System.Text.RegularExpressions.Regex(Duration.Pattern);
        foreach (var text in new[] { "30s", "1h30m", "0", "1.5s", "30", "-1s", "1d", "" })
        {
            // (the parser additionally bounds the total to a year)
            Assert.Equal(pattern.IsMatch(text), Duration.TryParse(text, out _));
        }
    }

    [Theory]
    [InlineData("30s", "30")]
    [InlineData("250ms", "0.25")]
    [InlineData("1h", "3600")]
    public void RendersSecondsForPgBouncer(string text, string seconds)
    {
        Assert.Equal(seconds, Duration.ToPgBouncerSeconds(Duration.Parse(text)));
    }
}
