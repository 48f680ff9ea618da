using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.Tests.Support;
using Xunit;

namespace SidePool.Kubernetes.Tests;

public sealed class InClusterConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private InClusterPaths Paths(Dictionary<string, string> env) => new()
    {
        TokenFile = _dir.Write("sa/token", "projected-1"),
        CertificateAuthorityFile = _dir.Write("sa/ca.crt", TestCertificates.CreateAuthority().AuthorityPem),
        NamespaceFile = _dir.Write("sa/namespace", "from-file\n"),
        Environment = name => env.GetValueOrDefault(name),
        TokenRefreshInterval = TimeSpan.Zero,
    };

    [Fact]
    public async Task Reads_service_environment_token_ca_and_namespace_file()
    {
        var paths = Paths(new() { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" });
        Assert.True(InClusterConfigLoader.IsInCluster(paths));
        var settings = await InClusterConfigLoader.LoadAsync(paths);
        Assert.Equal(new Uri("https://10.96.0.1:443/"), settings.Server);
        Assert.Equal("from-file", settings.Namespace);
        Assert.Single(settings.CertificateAuthorities!);
        Assert.Equal("Bearer projected-1", (await settings.Authentication!.GetAuthorizationAsync(default))!.ToString());
        File.WriteAllText(paths.TokenFile, "projected-2");
        Assert.Equal("Bearer projected-2", (await settings.Authentication!.GetAuthorizationAsync(default))!.ToString());
    }

    [Fact]
    public async Task Ipv6_host_is_bracketed_and_pod_namespace_wins()
    {
        var settings = await InClusterConfigLoader.LoadAsync(Paths(new() { ["KUBERNETES_SERVICE_HOST"] = "fd00:10:96::1", ["KUBERNETES_SERVICE_PORT"] = "6443", ["POD_NAMESPACE"] = "sidepool-system" }));
        Assert.Equal("https://[fd00:10:96::1]:6443/", settings.Server.ToString());
        Assert.Equal("sidepool-system", settings.Namespace);
    }

    [Fact]
    public async Task Missing_environment_is_a_clear_error()
    {
        var paths = Paths([]);
        Assert.False(InClusterConfigLoader.IsInCluster(paths));
        var error = await Assert.ThrowsAsync<KubernetesConfigException>(() => InClusterConfigLoader.LoadAsync(paths));
        Assert.Contains("KUBERNETES_SERVICE_HOST", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_token_file_is_named()
    {
        var paths = Paths(new() { ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" }) with { TokenFile = Path.Combine(_dir.Path, "none") };
        var error = await Assert.ThrowsAsync<KubernetesConfigException>(() => InClusterConfigLoader.LoadAsync(paths));
        Assert.Contains(Path.Combine(_dir.Path, "none"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Absence_names_the_variable_and_the_token_path()
    {
        var none = Path.Combine(_dir.Path, "none");
        Assert.Null(InClusterConfigLoader.DescribeAbsence(Paths(new() { ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" })));
        Assert.Equal(
            $"not in a cluster: KUBERNETES_SERVICE_HOST is not set and the service-account token '{none}' does not exist",
            InClusterConfigLoader.DescribeAbsence(Paths([]) with { TokenFile = none }));
        Assert.Equal(
            $"not in a cluster: KUBERNETES_SERVICE_HOST=10.0.0.1 is set but the service-account token '{none}' does not exist",
            InClusterConfigLoader.DescribeAbsence(Paths(new() { ["KUBERNETES_SERVICE_HOST"] = "10.0.0.1" }) with { TokenFile = none }));
    }
}
