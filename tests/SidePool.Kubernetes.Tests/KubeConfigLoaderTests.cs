using System.Text;
using SidePool.Kubernetes.Auth;
using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.Tests.Support;
using Xunit;

namespace SidePool.Kubernetes.Tests;

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
            certificate-authority: certs/ca.pem
        contexts:
        - name: ctx-a
          context: { cluster: shared, user: alice, namespace: team-a }
        users:
        - name: alice
          user:
            tokenFile: tokens/alice
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

    private void WriteFirstFolderFiles()
    {
        _dir.Write("a/certs/ca.pem", TestCertificates.CreateAuthority().AuthorityPem);
        _dir.Write("a/tokens/alice", "alice-token\n");
    }

    [Fact]
    public async Task First_file_wins_per_entry_and_for_current_context_and_relative_paths_resolve_per_file()
    {
        WriteFirstFolderFiles();
        var settings = await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { KubeConfigVariable = $"{First}:{Second}" });
        Assert.Equal(new Uri("https://first.example:6443"), settings.Server);
        Assert.Equal("team-a", settings.Namespace);
        Assert.NotNull(settings.CertificateAuthorities);
        Assert.Single(settings.CertificateAuthorities!);
        var header = await settings.Authentication!.GetAuthorizationAsync(default);
        Assert.Equal("Bearer alice-token", header!.ToString());
    }

    [Fact]
    public async Task Context_and_namespace_overrides_apply()
    {
        WriteFirstFolderFiles();
        var settings = await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { KubeConfigVariable = $"{First}:{Second}", Context = "ctx-b", Namespace = "override" });
        Assert.Equal(new Uri("https://second.example"), settings.Server);
        Assert.True(settings.InsecureSkipTlsVerify);
        Assert.Equal("api.internal", settings.TlsServerName);
        Assert.Equal("override", settings.Namespace);
        var header = await settings.Authentication!.GetAuthorizationAsync(default);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:pw")), header!.ToString());
    }

    [Fact]
    public async Task Second_file_supplies_current_context_when_the_first_has_none_and_missing_list_entries_are_skipped()
    {
        var noCurrent = _dir.Write("c/config", """
            clusters:
            - name: other
              cluster: { server: https://from-c.example }
            """);
        var settings = await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { KubeConfigVariable = $"{_dir.Path}/missing:{noCurrent}:{Second}" });
        Assert.Equal(new Uri("https://from-c.example"), settings.Server);
        Assert.Equal("default", settings.Namespace);
    }

    [Fact]
    public async Task Home_kube_config_is_the_fallback()
    {
        _dir.Write(".kube/config", """
            current-context: c
            clusters: [{ name: k, cluster: { server: "http://127.0.0.1:1" } }]
            contexts: [{ name: c, context: { cluster: k } }]
            """);
        var settings = await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { KubeConfigVariable = string.Empty, HomeDirectory = _dir.Path });
        Assert.Equal(new Uri("http://127.0.0.1:1"), settings.Server);
        Assert.Null(settings.Authentication);
    }

    [Fact]
    public async Task Data_beats_the_file_path()
    {
        var ca = TestCertificates.CreateAuthority("Data CA");
        var file = _dir.Write("d/config", $$"""
            current-context: c
            clusters: [{ name: k, cluster: { server: "https://x", certificate-authority: does-not-exist.pem, certificate-authority-data: {{Convert.ToBase64String(Encoding.UTF8.GetBytes(ca.AuthorityPem))}} } }]
            contexts: [{ name: c, context: { cluster: k } }]
            """);
        var settings = await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { ExplicitPath = file });
        Assert.Equal(ca.Authority.Thumbprint, settings.CertificateAuthorities![0].Thumbprint);
    }

    public static TheoryData<string, string, string> Broken => new()
    {
        { "current-context: nope\nclusters: []\ncontexts: []\n", "Context 'nope' not found", "config" },
        { "contexts: [{ name: c, context: { cluster: gone } }]\ncurrent-context: c\n", "Cluster 'gone' of context 'c' not found", "config" },
        { "current-context: c\nclusters: [{ name: k, cluster: { server: https://x } }]\ncontexts: [{ name: c, context: { cluster: k, user: ghost } }]\n", "User 'ghost' of context 'c' not found", "config" },
        { "current-context: c\nclusters: [{ name: k, cluster: { certificate-authority: x } }]\ncontexts: [{ name: c, context: { cluster: k } }]\n", "Cluster 'k'", "'server'" },
        { "current-context: c\nclusters: [{ name: k, cluster: { server: https://x, insecure-skip-tls-verify: true, certificate-authority-data: " + Convert.ToBase64String(Encoding.UTF8.GetBytes(TestCertificates.CreateAuthority().AuthorityPem)) + " } }]\ncontexts: [{ name: c, context: { cluster: k } }]\n", "insecure-skip-tls-verify", "Cluster 'k'" },
        { "current-context: c\nclusters: [{ name: k, cluster: { server: https://x, certificate-authority: nowhere.pem } }]\ncontexts: [{ name: c, context: { cluster: k } }]\n", "'certificate-authority' file", "nowhere.pem" },
        { "current-context: c\nclusters: [{ name: k, cluster: { server: https://x, certificate-authority-data: '%%%' } }]\ncontexts: [{ name: c, context: { cluster: k } }]\n", "'certificate-authority-data' is not valid base64", "Cluster 'k'" },
        { "current-context: c\nclusters: [{ name: k, cluster: { server: https://x } }]\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\nusers: [{ name: u, user: { client-certificate: cert.pem } }]\n", "client-key(-data)", "User 'u'" },
        { "current-context: c\nclusters: [{ name: k, cluster: { server: https://x } }]\ncontexts: [{ name: c, context: { cluster: k, user: u } }]\nusers: [{ name: u, user: { tokenFile: missing-token } }]\n", "tokenFile", "missing-token" },
        { "clusters: []\n", "No current-context", "config" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public async Task Errors_name_the_file_context_or_key(string yaml, string expected, string alsoExpected)
    {
        if (yaml.Contains("cert.pem", StringComparison.Ordinal))
        {
            _dir.Write("cert.pem", TestCertificates.CreateAuthority().AuthorityPem);
        }

        var file = _dir.Write("config", yaml);
        var error = await Assert.ThrowsAsync<KubernetesConfigException>(() => KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { ExplicitPath = file }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(alsoExpected, error.Message, StringComparison.Ordinal);
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

    [Fact]
    public async Task Token_file_is_re_read_after_its_refresh_interval_and_after_a_401()
    {
        var path = _dir.Write("token", "one");
        var time = new ManualTimeProvider();
        var provider = new TokenFileProvider(path, TimeSpan.FromMinutes(1), time);
        Assert.Equal("Bearer one", (await provider.GetAuthorizationAsync(default))!.ToString());
        File.WriteAllText(path, "two");
        Assert.Equal("Bearer one", (await provider.GetAuthorizationAsync(default))!.ToString());
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("Bearer two", (await provider.GetAuthorizationAsync(default))!.ToString());
        File.WriteAllText(path, "three");
        Assert.True(provider.Invalidate());
        Assert.Equal("Bearer three", (await provider.GetAuthorizationAsync(default))!.ToString());
        Assert.DoesNotContain("three", provider.ToString(), StringComparison.Ordinal);
    }
}
