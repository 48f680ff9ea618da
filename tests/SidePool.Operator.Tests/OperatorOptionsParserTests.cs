using SidePool.Operator.Hosting;
using Xunit;

namespace SidePool.Operator.Tests;

public sealed class OperatorOptionsParserTests
{
    [Fact]
    public void ParsesEveryFlag()
    {
        var options = OperatorOptionsParser.Parse([
            "--namespace", "shop", "--sidecar-mode=classic", "--default-image", "reg/sidecar:2", "--metrics-port", "9090",
            "--webhook-port=9444", "--kubeconfig", "/tmp/kc", "--context", "kind", "--leader-elect", "false", "--lease-name", "l",
            "--lease-namespace", "ops", "--identity", "me", "--stall-timeout", "90s", "--workers", "8", "--webhook", "false",
            "--cert-mode", "files", "--cert-dir", "/certs", "--webhook-service", "svc", "--webhook-configuration", "cfg",
            "--operator-namespace", "sidepool-system", "--agent-port", "9200", "--load-interval", "0",
        ]);
        Assert.Equal(("shop", "classic", "reg/sidecar:2", 9090, 9444), (string.Join(",", options.Namespaces), options.SidecarMode, options.DefaultImage, options.MetricsPort, options.WebhookPort));
        Assert.Equal(("/tmp/kc", "kind", false, "l", "ops", "me"), (options.Kubeconfig, options.Context, options.LeaderElection, options.LeaseName, options.LeaseNamespace, options.Identity));
        Assert.Equal((TimeSpan.FromSeconds(90), 8, false, "files", "/certs"), (options.StallTimeout, options.Workers, options.Webhook, options.CertMode, options.CertDirectory));
        Assert.Equal(("svc", "cfg", "sidepool-system", 9200), (options.WebhookService, options.WebhookConfiguration, options.OperatorNamespace, options.AgentPort));
        Assert.Equal(TimeSpan.Zero, options.LoadInterval); // 0 turns measuring off (a zero --stall-timeout is refused)
        Assert.Equal(TimeSpan.FromMinutes(1), OperatorOptionsParser.Parse([]).LoadInterval);
    }

    [Fact]
    public void ParsesTheChartsFlags()
    {
        var options = OperatorOptionsParser.Parse([
            "--allowed-image-prefix", "registry.example/sidepool/", "--allowed-image-prefix=ghcr.io/sidepool/",
            "--default-sidecar-resources", """{"requests":{"cpu":"25m","memory":"32Mi"},"limits":{"memory":"64Mi"}}""",
            "--log-level", "debug",
        ]);
        Assert.Equal(["registry.example/sidepool/", "ghcr.io/sidepool/"], options.AllowedImagePrefixes);
        Assert.Equal("25m", options.DefaultSidecarResources!.Requests!["cpu"]);
        Assert.Equal("64Mi", options.DefaultSidecarResources.Limits!["memory"]);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, options.LogLevel);
    }

    [Fact]
    public void Namespaces_repeat_or_come_comma_separated_as_WATCH_NAMESPACE_does()
    {
        var options = OperatorOptionsParser.Parse(["--namespace", "shop", "--namespace=billing,audit", "--namespace", "shop"]);
        Assert.Equal(["shop", "billing", "audit"], options.Namespaces);
    }

    [Theory]
    [InlineData("--namespace", "Shop", "--namespace: 'Shop' is not a namespace name")]
    [InlineData("--namespace", "shop,", "--namespace: '' is not a namespace name")]
    [InlineData("--default-sidecar-resources", "{\"requests\":{\"cpu\":\"lots\"}}", "--default-sidecar-resources: requests")]
    [InlineData("--default-sidecar-resources", "{\"cpus\":1}", "--default-sidecar-resources must be JSON")]
    [InlineData("--default-sidecar-resources", "50m", "--default-sidecar-resources must be JSON")]
    [InlineData("--allowed-image-prefix", "", "--allowed-image-prefix must not be empty")]
    [InlineData("--log-level", "loud", "--log-level must be trace, debug, info, warning or error, not 'loud'")]
    public void RejectsBadChartFlagValuesInOneLine(string flag, string value, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => OperatorOptionsParser.Parse([flag, value]));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void DefaultsWatchEverythingInAutoMode()
    {
        var options = OperatorOptionsParser.Parse([]);
        Assert.Empty(options.Namespaces);
        Assert.Empty(options.AllowedImagePrefixes);
        Assert.Null(options.DefaultSidecarResources);
        Assert.Null(options.LogLevel);
        Assert.Equal(("auto", 8080, 9443, true, true), (options.SidecarMode, options.MetricsPort, options.WebhookPort, options.LeaderElection, options.Webhook));
        Assert.Equal(TimeSpan.FromMinutes(10), options.StallTimeout);
    }

    [Theory]
    [InlineData("--sidecar-mode", "sometimes")]
    [InlineData("--metrics-port", "0")]
    [InlineData("--webhook-port", "70000")]
    [InlineData("--stall-timeout", "soon")]
    [InlineData("--stall-timeout", "0")]
    [InlineData("--load-interval", "-1m")]
    [InlineData("--workers", "0")]
    [InlineData("--leader-elect", "maybe")]
    [InlineData("--cert-mode", "vault")]
    [InlineData("--frobnicate", "1")]
    public void RejectsBadValuesNamingTheFlag(string flag, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => OperatorOptionsParser.Parse([flag, value]));
        Assert.Contains(flag, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFlagWithoutValueIsAnError()
    {
        var error = Assert.Throws<ArgumentException>(() => OperatorOptionsParser.Parse(["--namespace"]));
        Assert.Equal("--namespace needs a value", error.Message);
    }

    [Theory]
    [InlineData("--frobnicate")]
    [InlineData("--frobnicate", "1")]
    [InlineData("--webhook-port", "9444", "--frobnicate")]
    public void AnUnknownFlagIsAnUnknownOption(params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => OperatorOptionsParser.Parse(args));
        Assert.Equal("unknown option --frobnicate", error.Message);
    }

    [Fact]
    public void AFlagTakingAnUnknownFlagAsItsValueSaysBoth()
    {
        var error = Assert.Throws<ArgumentException>(() => OperatorOptionsParser.Parse(["--namespace", "--frobnicate"]));
        Assert.Equal("--namespace needs a value, got unknown option --frobnicate", error.Message);
        var known = Assert.Throws<ArgumentException>(() => OperatorOptionsParser.Parse(["--metrics-port", "--webhook-port", "9444"]));
        Assert.Equal("--metrics-port needs a value", known.Message);
    }

    [Fact]
    public void AStrayArgumentIsNamed()
    {
        var error = Assert.Throws<ArgumentException>(() => OperatorOptionsParser.Parse(["shop"]));
        Assert.Equal("unexpected argument 'shop'", error.Message);
    }

    [Fact]
    public void BooleanFlagsAloneMeanTrue()
    {
        var options = OperatorOptionsParser.Parse(["--webhook", "--leader-elect=false"]);
        Assert.True(options.Webhook);
        Assert.False(options.LeaderElection);
    }
}
