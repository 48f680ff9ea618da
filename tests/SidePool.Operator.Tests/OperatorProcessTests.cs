using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SidePool.Testing;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>The built <c>sidepool-operator</c> run as a process with a clean environment (no kubeconfig, not in a cluster).</summary>
public sealed class OperatorProcessTests : IDisposable
{
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "sidepool-operator");
    private readonly TestDirectory _home = new("ophome");

    public void Dispose() => _home.Dispose();

    private Task<ProgramResult> RunAsync(params string[] args) => ProgramRun.RunAsync(Executable, WithFreePorts(args), _home.FullPath);

    private Task<ProgramResult> RunWithAsync(Dictionary<string, string> environment, params string[] args) =>
        ProgramRun.RunAsync(Executable, WithFreePorts(args), _home.FullPath, environment);

    /// <summary>
    /// Free metrics and webhook ports unless the test gives its own: the defaults (8080, 9443) may be taken by another
    /// suite running at the same time (a sandbox pod's relayed port), and the port check comes before the one a test is about.
    /// </summary>
    private static string[] WithFreePorts(string[] args)
    {
        var given = string.Join(' ', args);
        if (args is ["--version"] or ["--help"] or ["-h"])
        {
            return args; // these take nothing else
        }

        var extra = new List<string>();
        if (!given.Contains("--metrics-port", StringComparison.Ordinal))
        {
            extra.AddRange(["--metrics-port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (!given.Contains("--webhook-port", StringComparison.Ordinal))
        {
            extra.AddRange(["--webhook-port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        return [.. args, .. extra];
    }

    /// <summary>A kubeconfig whose one cluster trusts <paramref name="caFile"/>.</summary>
    private string KubeconfigTrusting(string caFile) => _home.WriteFile("kube/config", $$"""
        apiVersion: v1
        kind: Config
        current-context: c
        clusters: [{ name: k, cluster: { server: "https://127.0.0.1:1", certificate-authority: {{caFile}} } }]
        contexts: [{ name: c, context: { cluster: k, user: u } }]
        users: [{ name: u, user: { token: not-a-real-token } }]
        """);

    private static void AssertOneLineUserError(ProgramResult result, params string[] parts)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("sidepool-operator: ", line, StringComparison.Ordinal);
        foreach (var part in parts)
        {
            Assert.Contains(part, line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task WithoutKubeconfigOrInClusterConfigItSaysWhereItLookedInOneLine()
    {
        var result = await RunAsync();
        AssertOneLineUserError(
            result,
            "No Kubernetes configuration found",
            "KUBECONFIG is not set",
            $"'{_home.FullPath}/.kube/config' does not exist",
            "KUBERNETES_SERVICE_HOST",
            "/var/run/secrets/kubernetes.io/serviceaccount/token");
    }

    [Fact]
    public async Task AKubeconfigVariableNamingNoFileIsQuoted()
    {
        var result = await RunWithAsync(new() { ["KUBECONFIG"] = "/nonexistent/a:/nonexistent/b" });
        AssertOneLineUserError(result, "KUBECONFIG=/nonexistent/a:/nonexistent/b names no existing file ('/nonexistent/a', '/nonexistent/b')", "KUBERNETES_SERVICE_HOST is not set");
    }

    [Fact]
    public async Task AServiceHostWithoutTokenIsNotInCluster()
    {
        var result = await RunWithAsync(new() { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" });
        AssertOneLineUserError(result, "KUBERNETES_SERVICE_HOST=10.96.0.1 is set", "'/var/run/secrets/kubernetes.io/serviceaccount/token'", "KUBECONFIG is not set");
    }

    [Fact]
    public async Task AMissingExplicitKubeconfigIsNamed() =>
        AssertOneLineUserError(await RunAsync("--kubeconfig", "/nonexistent/config"), "'/nonexistent/config' does not exist");

    [Fact]
    public async Task AnUnreadableKubeconfigIsNamed()
    {
        var folder = _home.CreateSubdirectory("not-a-file");
        AssertOneLineUserError(await RunAsync("--kubeconfig", folder), $"'{folder}' is not a file");
        var broken = _home.WriteFile("broken.yaml", "clusters: [unclosed");
        AssertOneLineUserError(await RunAsync("--kubeconfig", broken), $"'{broken}'", "not valid YAML");
    }

    [Fact]
    public async Task ABadCertificateFileIsNamed()
    {
        var garbage = _home.WriteFile("kube/ca.pem", "this is not a certificate\n");
        AssertOneLineUserError(await RunAsync("--kubeconfig", KubeconfigTrusting(garbage)), "Cluster 'k'", $"'certificate-authority' file '{garbage}'", "no PEM certificate");
        AssertOneLineUserError(await RunAsync("--kubeconfig", KubeconfigTrusting("/nonexistent/ca.pem")), "'/nonexistent/ca.pem' does not exist");
    }

    [Fact]
    public async Task AMetricsPortInUseIsOneLineAndExitCode1()
    {
        using var taken = new TcpListener(IPAddress.Any, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var kubeconfig = _home.WriteFile("kube/reachable-nowhere", """
            apiVersion: v1
            kind: Config
            current-context: c
            clusters: [{ name: k, cluster: { server: "https://127.0.0.1:1", insecure-skip-tls-verify: true } }]
            contexts: [{ name: c, context: { cluster: k, user: u, namespace: sidepool-system } }]
            users: [{ name: u, user: { token: not-a-real-token } }]
            """);
        var result = await RunAsync("--kubeconfig", kubeconfig, "--metrics-port", port.ToString(CultureInfo.InvariantCulture), "--webhook=false");
        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.StderrLines);
        Assert.Equal($"sidepool-operator: cannot listen on port {port} (--metrics-port): address already in use", line);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-real-token", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionPrintsTheVersionDeclaredInDirectoryBuildProps()
    {
        var result = await RunAsync("--version");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(SourceTree.DeclaredVersion() + "\n", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task HelpListsTheFlagsAndExitsZero()
    {
        var result = await RunAsync("--help");
        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var flag in new[] { "--namespace", "--metrics-port", "--leader-elect", "--cert-mode", "--agent-port", "--version", "--help" })
        {
            Assert.Contains(flag, result.Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--frobnicate")]
    [InlineData("--frobnicate", "1")]
    [InlineData("--frobnicate=1")]
    [InlineData("--namespace", "shop", "--frobnicate")]
    public async Task AnUnknownFlagIsNamedAsAnUnknownOption(params string[] args) =>
        AssertOneLineUserError(await RunAsync(args), "unknown option --frobnicate");

    [Fact]
    public async Task AFlagWithoutItsValueSaysSo() =>
        AssertOneLineUserError(await RunAsync("--namespace"), "--namespace needs a value");

    [Fact]
    public async Task ABadValueNamesTheFlag() =>
        AssertOneLineUserError(await RunAsync("--metrics-port", "0"), "--metrics-port", "'0'");
}
