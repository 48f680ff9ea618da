using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.Runtime.Tests.Support;
using Xunit;

namespace SidePool.Kubernetes.Runtime.Tests;

/// <summary>
/// Our part of kubeconfig loading (KubernetesClient builds the configuration): which files, kubectl's merge of a
/// KUBECONFIG list with missing entries skipped, the overrides, and errors that name the files.
/// </summary>
public sealed class KubeConfigLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string First => _dir.Write("a/config", """
        apiVersion: v1
        kind: Config
        current-context: ctx-a
        clusters:
        - name: shared
          cluster:
            server: https://first.example:6443
        contexts:
        - name: ctx-a
          context: { cluster: shared, user: alice, namespace: team-a }
        users:
        - name: alice
          user:
            token: alice-token
        """);

    private string Second => _dir.Write("b/config", """
        apiVersion: v1
        kind: Config
        current-context: ctx-b
        clusters:
        - name: shared
          cluster: { server: https://ignored.example }
        - name: other
          cluster: { server: https://second.example, insecure-skip-tls-verify: true, tls-server-name: api.internal }
        contexts:
        - name: ctx-a
          context: { cluster: other, user: bob }
        - name: ctx-b
          context: { cluster: other, user: bob }
        users:
        - name: alice
          user: { token: ignored }
        - name: bob
          user: { username: bob, password: pw }
        """);

    [Fact]
    public async Task First_file_wins_per_entry_and_for_current_context()
    {
        var config = await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { KubeConfigVariable = $"{First}:{Second}" });
        Assert.Equal("https://first.example:6443", config.Host.TrimEnd('/'));
        Assert.Equal("team-a", config.Namespace);
        Assert.Equal("alice-token", config.AccessToken);
    }

    [Fact]
    public async Task Context_and_namespace_overrides_apply()
    {
        var config = await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { KubeConfigVariable = $"{First}:{Second}", Context = "ctx-b", Namespace = "override" });
        Assert.Equal("https://second.example", config.Host.TrimEnd('/'));
        Assert.True(config.SkipTlsVerify);
        Assert.Equal("api.internal", config.TlsServerName);
        Assert.Equal("override", config.Namespace);
        Assert.Equal("bob", config.Username);
        Assert.Equal("pw", config.Password);
    }

    [Fact]
    public async Task Second_file_supplies_current_context_when_the_first_has_none_and_missing_list_entries_are_skipped()
    {
        var noCurrent = _dir.Write("c/config", """
            clusters:
            - name: other
              cluster: { server: https://from-c.example }
            """);
        var config = await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { KubeConfigVariable = $"{_dir.Path}/missing:{noCurrent}:{Second}" });
        Assert.Equal("https://from-c.example", config.Host.TrimEnd('/'));
    }

    [Fact]
    public async Task Home_kube_config_is_the_fallback()
    {
        _dir.Write(".kube/config", """
            current-context: c
            clusters: [{ name: k, cluster: { server: "http://127.0.0.1:1" } }]
            contexts: [{ name: c, context: { cluster: k } }]
            """);
        var config = await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { KubeConfigVariable = string.Empty, HomeDirectory = _dir.Path });
        Assert.Equal("http://127.0.0.1:1", config.Host.TrimEnd('/'));
        Assert.Null(config.AccessToken);
    }

    [Fact]
    public async Task A_user_without_credentials_is_anonymous_as_for_kubectl()
    {
        // The fake API server (and so the sandbox) writes such a user; KubernetesClient alone refuses it.
        var file = _dir.Write("anon/config", """
            current-context: c
            clusters: [{ name: k, cluster: { server: "http://127.0.0.1:1" } }]
            contexts: [{ name: c, context: { cluster: k, user: nobody } }]
            users: [{ name: nobody, user: {} }]
            """);
        var config = await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { ExplicitPath = file });
        Assert.Equal("http://127.0.0.1:1", config.Host.TrimEnd('/'));
        Assert.Null(config.AccessToken);
        Assert.Null(config.Username);
    }

    [Fact]
    public async Task Relative_certificate_paths_resolve_against_the_file_that_names_them()
    {
        _dir.Write("rel/certs/ca.pem", TestCertificates.CreateAuthority().AuthorityPem);
        var file = _dir.Write("rel/config", """
            current-context: c
            clusters: [{ name: k, cluster: { server: "https://127.0.0.1:1", certificate-authority: certs/ca.pem } }]
            contexts: [{ name: c, context: { cluster: k } }]
            """);
        var config = await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { KubeConfigVariable = $"{_dir.Path}/missing:{file}" });
        Assert.Single(config.SslCaCerts!);
    }

    [Theory]
    [InlineData("current-context: nope\nclusters: []\ncontexts: []\n", "nope")]
    public async Task Errors_inside_a_file_name_the_file_and_what_is_wrong(string yaml, string expected)
    {
        var file = _dir.Write("config", yaml);
        var error = await Assert.ThrowsAsync<KubernetesConfigException>(() => KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { ExplicitPath = file }));
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_explicit_file_is_named()
    {
        var path = Path.Combine(_dir.Path, "nope.yaml");
        var error = await Assert.ThrowsAsync<KubernetesConfigException>(() => KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { ExplicitPath = path }));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_given_as_kubeconfig_is_not_a_file()
    {
        var error = await Assert.ThrowsAsync<KubernetesConfigException>(() => KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { ExplicitPath = _dir.Path }));
        Assert.Contains($"'{_dir.Path}' is not a file but a directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_missing_says_where_it_looked_or_null_when_there_is_a_file()
    {
        Assert.Equal(
            $"KUBECONFIG is not set and kubeconfig file '{_dir.Path}/.kube/config' does not exist",
            KubeConfigLoader.DescribeMissing(new KubeConfigLoadOptions { KubeConfigVariable = "", HomeDirectory = _dir.Path }));
        Assert.Equal(
            $"KUBECONFIG={_dir.Path}/x names no existing file ('{_dir.Path}/x')",
            KubeConfigLoader.DescribeMissing(new KubeConfigLoadOptions { KubeConfigVariable = $"{_dir.Path}/x" }));
        _dir.Write(".kube/config", "clusters: []\n");
        Assert.Null(KubeConfigLoader.DescribeMissing(new KubeConfigLoadOptions { KubeConfigVariable = "", HomeDirectory = _dir.Path }));
    }

    [Fact]
    public async Task Missing_kubeconfig_list_names_every_file()
    {
        var error = await Assert.ThrowsAsync<KubernetesConfigException>(() => KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { KubeConfigVariable = $"{_dir.Path}/x:{_dir.Path}/y" }));
        Assert.Contains($"{_dir.Path}/x", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{_dir.Path}/y", error.Message, StringComparison.Ordinal);
    }
}
