using SidePool.LoadGen;
using Xunit;

namespace SidePool.LoadGen.Tests;

public sealed class LoadGenOptionsTests
{
    private static LoadGenOptions Read(params (string Name, string Value)[] variables)
    {
        var all = variables.ToDictionary(v => v.Name, v => v.Value);
        return LoadGenOptions.FromEnvironment(name => all.GetValueOrDefault(name));
    }

    [Fact]
    public void DefaultsAreFourWorkers20MsPausesAndALoginEvery50Transactions()
    {
        var options = Read(("DATABASE_URL", "postgresql://u@h/d"));
        Assert.Equal(4, options.Workers);
        Assert.Equal(TimeSpan.FromMilliseconds(20), options.Pause);
        Assert.Equal(50, options.ReconnectEvery);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.RetryDelay);
    }

    [Fact]
    public void EveryVariableIsRead()
    {
        var options = Read(("DATABASE_URL", "postgresql://u@h/d"), ("WORKERS", "12"), ("PAUSE_MS", "0"), ("RECONNECT_EVERY", "0"), ("RETRY_MS", " 250 "));
        Assert.Equal((12, TimeSpan.Zero, 0, TimeSpan.FromMilliseconds(250)), (options.Workers, options.Pause, options.ReconnectEvery, options.RetryDelay));
    }

    [Theory]
    [InlineData("WORKERS", "0", "WORKERS: expected a whole number from 1 to 1024, got '0'")]
    [InlineData("WORKERS", "four", "got 'four'")]
    [InlineData("PAUSE_MS", "-1", "PAUSE_MS: expected a whole number from 0")]
    [InlineData("RECONNECT_EVERY", "1.5", "RECONNECT_EVERY")]
    [InlineData("DATABASE_URL", "", "DATABASE_URL is not set")]
    [InlineData("DATABASE_URL", "postgresql://u:secret@h:99999/d", "DATABASE_URL: port: expected a number from 1 to 65535, got '99999'")]
    public void ABadVariableIsNamed(string name, string value, string message)
    {
        var variables = new Dictionary<string, string> { ["DATABASE_URL"] = "postgresql://u@h/d", [name] = value };
        var e = Assert.Throws<ArgumentException>(() => LoadGenOptions.FromEnvironment(n => variables.GetValueOrDefault(n)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheUsageNamesEveryVariable()
    {
        foreach (var name in new[] { "DATABASE_URL", "WORKERS", "PAUSE_MS", "RECONNECT_EVERY", "RETRY_MS", "SIGTERM" })
        {
            Assert.Contains(name, LoadGenOptions.Usage, StringComparison.Ordinal);
        }
    }
}
