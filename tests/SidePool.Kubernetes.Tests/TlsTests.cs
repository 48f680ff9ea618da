using System.Text;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Models;
using SidePool.Kubernetes.Tests.Support;
using Xunit;

namespace SidePool.Kubernetes.Tests;

/// <summary>TLS against a local server whose certificate a throwaway CA signed.</summary>
public sealed class TlsTests : IDisposable
{
    private static readonly TestCertificates Ca = TestCertificates.CreateAuthority();
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static RawHttpServer Serve(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, bool requireClientCertificate = false) =>
        RawHttpServer.Start((_, stream, ct) => RawHttpServer.WriteResponseAsync(stream, 200, """{"metadata":{"name":"x"}}""", cancellationToken: ct), certificate, requireClientCertificate);

    private async Task<KubernetesClient> ClientFromKubeconfigAsync(Uri server, string clusterExtra, string userExtra = "{}")
    {
        var file = _dir.Write("config", $$"""
            current-context: c
            clusters: [{ name: k, cluster: { server: "{{server}}"{{clusterExtra}} } }]
            contexts: [{ name: c, context: { cluster: k, user: u } }]
            users: [{ name: u, user: {{userExtra}} }]
            """);
        return new KubernetesClient(await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { ExplicitPath = file }));
    }

    private static string B64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));

    [Fact]
    public async Task Server_signed_by_the_configured_ca_is_trusted()
    {
        await using var server = Serve(Ca.IssueServer("localhost"));
        _dir.Write("ca.pem", Ca.AuthorityPem);
        using var client = await ClientFromKubeconfigAsync(server.BaseAddress, ", certificate-authority: ca.pem");
        var map = await client.Resource(KubernetesResources.ConfigMaps).GetAsync("x");
        Assert.Equal("x", map.Metadata!.Name);
    }

    [Fact]
    public async Task Server_signed_by_another_ca_is_refused()
    {
        var other = TestCertificates.CreateAuthority("Other CA");
        await using var server = Serve(other.IssueServer("localhost"));
        using var client = await ClientFromKubeconfigAsync(server.BaseAddress, $", certificate-authority-data: {B64(Ca.AuthorityPem)}");
        await Assert.ThrowsAsync<KubernetesTransportException>(() => client.Resource(KubernetesResources.ConfigMaps).GetAsync("x"));
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Insecure_skip_tls_verify_accepts_any_server()
    {
        var other = TestCertificates.CreateAuthority("Other CA");
        await using var server = Serve(other.IssueServer("localhost"));
        using var client = await ClientFromKubeconfigAsync(server.BaseAddress, ", insecure-skip-tls-verify: true");
        Assert.Equal("x", (await client.Resource(KubernetesResources.ConfigMaps).GetAsync("x")).Metadata!.Name);
    }

    [Fact]
    public async Task Tls_server_name_is_the_name_checked()
    {
        await using var server = Serve(Ca.IssueServer("kube.internal"));
        using (var wrongName = await ClientFromKubeconfigAsync(server.BaseAddress, $", certificate-authority-data: {B64(Ca.AuthorityPem)}"))
        {
            await Assert.ThrowsAsync<KubernetesTransportException>(() => wrongName.Resource(KubernetesResources.ConfigMaps).GetAsync("x"));
        }

        using var rightName = await ClientFromKubeconfigAsync(server.BaseAddress, $", certificate-authority-data: {B64(Ca.AuthorityPem)}, tls-server-name: kube.internal");
        Assert.Equal("x", (await rightName.Resource(KubernetesResources.ConfigMaps).GetAsync("x")).Metadata!.Name);
    }

    [Fact]
    public async Task Client_certificate_from_kubeconfig_data_is_presented()
    {
        await using var server = Serve(Ca.IssueServer("localhost"), requireClientCertificate: true);
        var (_, certPem, keyPem) = Ca.IssueClient("sidepool-operator");
        using var client = await ClientFromKubeconfigAsync(server.BaseAddress, $", certificate-authority-data: {B64(Ca.AuthorityPem)}", $"{{ client-certificate-data: {B64(certPem)}, client-key-data: {B64(keyPem)} }}");
        await client.Resource(KubernetesResources.ConfigMaps).GetAsync("x");
        var request = Assert.Single(server.Requests);
        Assert.Equal("CN=sidepool-operator", request.ClientCertificate!.Subject);
    }

    [Fact]
    public async Task Client_certificate_from_files_is_presented()
    {
        await using var server = Serve(Ca.IssueServer("localhost"), requireClientCertificate: true);
        var (_, certPem, keyPem) = Ca.IssueClient("file-user");
        _dir.Write("pki/client.crt", certPem);
        _dir.Write("pki/client.key", keyPem);
        _dir.Write("pki/ca.crt", Ca.AuthorityPem);
        using var client = await ClientFromKubeconfigAsync(server.BaseAddress, ", certificate-authority: pki/ca.crt", "{ client-certificate: pki/client.crt, client-key: pki/client.key }");
        await client.Resource(KubernetesResources.ConfigMaps).GetAsync("x");
        Assert.Equal("CN=file-user", Assert.Single(server.Requests).ClientCertificate!.Subject);
    }
}
