using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.FakeServer;
using SidePool.Operator.Certificates;
using SidePool.Testing;
using Xunit;

namespace SidePool.Operator.Tests.Webhook;

public sealed class CertificateTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static WebhookCertificateProvider Provider(ICertificateStore? store, TimeProvider time, CertificateOptions? options = null) =>
        new(options ?? new CertificateOptions(), store, time, NullLogger<WebhookCertificateProvider>.Instance);

    [Fact]
    public async Task Self_signed_mode_issues_a_p256_ca_and_a_serving_certificate_for_the_service_names()
    {
        var store = new MemoryCertificateStore();
        using var provider = Provider(store, new ManualTimeProvider(Start));
        Assert.True(await provider.RefreshAsync(CancellationToken.None));

        var serving = provider.Current!;
        Assert.True(serving.HasPrivateKey);
        Assert.Equal("1.2.840.10045.2.1", serving.PublicKey.Oid.Value); // EC public key
        Assert.Equal(256, serving.GetECDsaPublicKey()!.KeySize);
        var names = serving.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToList();
        Assert.Contains("sidepool-webhook.sidepool-system.svc", names);
        Assert.Contains("sidepool-webhook.sidepool-system.svc.cluster.local", names);
        Assert.Equal(365, (serving.NotAfter - serving.NotBefore - TimeSpan.FromMinutes(5)).TotalDays, 3);
        Assert.Contains(serving.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.1");

        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(provider.CaBundlePem!);
        var ca = Assert.Single(bundle);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(3650, (ca.NotAfter - ca.NotBefore - TimeSpan.FromMinutes(5)).TotalDays, 3);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = Start.UtcDateTime;
        Assert.True(chain.Build(serving));

        var data = (await store.ReadAsync(CancellationToken.None))!.Data;
        Assert.Equal(["ca-cert.pem", "ca-key.pem", "ca.crt", "tls.crt", "tls.key"], data.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain("PRIVATE", CertificateMaterial.FromData(data)!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_serving_certificate_is_renewed_after_two_thirds_of_its_life_with_the_same_ca()
    {
        var store = new MemoryCertificateStore();
        var clock = new ManualTimeProvider(Start);
        using var provider = Provider(store, clock);
        await provider.RefreshAsync(CancellationToken.None);
        var first = provider.Current!.Thumbprint;
        var bundle = provider.CaBundlePem;

        clock.Now = Start.AddDays(240);
        Assert.False(await provider.RefreshAsync(CancellationToken.None));
        Assert.Equal(first, provider.Current!.Thumbprint);
        Assert.Equal(1, store.Writes);

        clock.Now = Start.AddDays(244);
        Assert.True(await provider.RefreshAsync(CancellationToken.None));
        Assert.NotEqual(first, provider.Current!.Thumbprint);
        Assert.Equal(bundle, provider.CaBundlePem);
        Assert.Equal(2, store.Writes);
    }

    [Fact]
    public async Task A_ca_past_two_thirds_is_replaced_and_the_old_one_stays_in_the_bundle()
    {
        var store = new MemoryCertificateStore();
        var clock = new ManualTimeProvider(Start);
        using var provider = Provider(store, clock);
        await provider.RefreshAsync(CancellationToken.None);
        var oldBundle = provider.CaBundlePem!;

        clock.Now = Start.AddDays(2440); // past 2/3 of 10 years
        Assert.True(await provider.RefreshAsync(CancellationToken.None));

        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(provider.CaBundlePem!);
        Assert.Equal(2, bundle.Count);
        Assert.EndsWith(oldBundle.Trim(), provider.CaBundlePem!.Trim(), StringComparison.Ordinal);
        Assert.Equal(bundle[0].Subject, provider.Current!.Issuer);
    }

    [Fact]
    public async Task Replicas_share_the_stored_certificate_and_pick_up_each_others_renewals()
    {
        var store = new MemoryCertificateStore();
        var clock = new ManualTimeProvider(Start);
        using var a = Provider(store, clock);
        using var b = Provider(store, clock);
        await Task.WhenAll(a.RefreshAsync(CancellationToken.None), b.RefreshAsync(CancellationToken.None));

        Assert.Equal(1, store.Writes);
        Assert.Equal(a.Current!.Thumbprint, b.Current!.Thumbprint);

        await a.RenewAsync(CancellationToken.None);
        Assert.NotEqual(a.Current!.Thumbprint, b.Current!.Thumbprint);
        Assert.True(await b.RefreshAsync(CancellationToken.None));
        Assert.Equal(a.Current!.Thumbprint, b.Current!.Thumbprint);
    }

    [Fact]
    public async Task Files_mode_reloads_when_the_mounted_files_change()
    {
        var options = new CertificateOptions { Mode = CertificateMode.Files, Directory = _dir.FullPath };
        var (caPem, caKey) = SelfSignedIssuer.CreateCa("files-ca", Start, TimeSpan.FromDays(30));
        await WriteAsync(caPem, caKey, options);
        using var provider = Provider(null, TimeProvider.System, options);

        Assert.True(await provider.RefreshAsync(CancellationToken.None));
        var first = provider.Current!.Thumbprint;
        Assert.Equal(caPem, provider.CaBundlePem);
        Assert.False(await provider.RefreshAsync(CancellationToken.None));

        await WriteAsync(caPem, caKey, options);
        Assert.True(await provider.RefreshAsync(CancellationToken.None));
        Assert.NotEqual(first, provider.Current!.Thumbprint);

        // A half-written update (key missing) keeps the current certificate.
        File.Delete(Path.Combine(_dir.FullPath, "tls.key"));
        Assert.False(await provider.RefreshAsync(CancellationToken.None));
        Assert.NotNull(provider.Current);
    }

    [Fact]
    public async Task Files_mode_without_files_fails_at_start()
    {
        using var provider = Provider(null, TimeProvider.System, new CertificateOptions { Mode = CertificateMode.Files, Directory = _dir.FullPath });
        await Assert.ThrowsAsync<FileNotFoundException>(() => provider.RefreshAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_renewal_service_survives_a_failing_first_load_and_picks_the_files_up_later()
    {
        var options = new CertificateOptions { Mode = CertificateMode.Files, Directory = _dir.FullPath, CheckInterval = TimeSpan.FromMilliseconds(100) };
        using var provider = Provider(null, TimeProvider.System, options);
        using var service = new CertificateRenewalService(provider, options, TimeProvider.System, NullLogger<CertificateRenewalService>.Instance);
        await service.StartAsync(CancellationToken.None);
        Assert.Null(provider.Current);

        var (caPem, caKey) = SelfSignedIssuer.CreateCa("late-ca", DateTimeOffset.UtcNow, TimeSpan.FromDays(30));
        await WriteAsync(caPem, caKey, options);
        for (var i = 0; i < 100 && provider.Current is null; i++)
        {
            await Task.Delay(50);
        }

        await service.StopAsync(CancellationToken.None);
        Assert.NotNull(provider.Current);
    }

    [Fact]
    public async Task The_renewal_service_survives_api_requests_that_time_out()
    {
        // An API server too slow for the client's request timeout: the read ends in an OperationCanceledException that is
        // not the host's. It is a failed refresh like any other (logged, tried again at the next check), never the end of
        // the service: it was, and the host (StopHost) took the whole operator down with it in the sandbox.
        var store = new TimingOutStore(new MemoryCertificateStore(), failures: 3);
        var options = new CertificateOptions { CheckInterval = TimeSpan.FromMilliseconds(100) };
        using var provider = Provider(store, TimeProvider.System, options);
        using var service = new CertificateRenewalService(provider, options, TimeProvider.System, NullLogger<CertificateRenewalService>.Instance);
        await service.StartAsync(CancellationToken.None);
        for (var i = 0; i < 100 && provider.Current is null; i++)
        {
            await Task.Delay(50);
        }

        Assert.False(service.ExecuteTask!.IsCompleted, $"the service ended: {service.ExecuteTask.Exception?.InnerException?.Message}");
        Assert.NotNull(provider.Current);
        Assert.True(store.Failed >= 3);
        await service.StopAsync(CancellationToken.None);
    }

    private sealed class TimingOutStore(ICertificateStore inner, int failures) : ICertificateStore
    {
        public int Failed { get; private set; }

        public Task<StoredCertificates?> ReadAsync(CancellationToken cancellationToken)
        {
            if (Failed < failures)
            {
                Failed++;
                throw new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.", new TimeoutException());
            }

            return inner.ReadAsync(cancellationToken);
        }

        public Task<bool> WriteAsync(IReadOnlyDictionary<string, byte[]> data, string? resourceVersion, CancellationToken cancellationToken) =>
            inner.WriteAsync(data, resourceVersion, cancellationToken);
    }

    [Fact]
    public void Cert_mode_flag_values_parse()
    {
        Assert.Equal(CertificateMode.SelfSigned, CertificateModes.Parse("self-signed"));
        Assert.Equal(CertificateMode.CertManager, CertificateModes.Parse("cert-manager"));
        Assert.Equal(CertificateMode.Files, CertificateModes.Parse("files"));
        Assert.Throws<ArgumentException>(() => CertificateModes.Parse("acme"));
        Assert.Throws<ArgumentException>(() => new CertificateOptions { RenewAfter = 1.5 }.Validate());
    }

    [Fact]
    public void The_ca_bundle_patch_sets_only_stale_webhooks_guarded_by_their_names()
    {
        var configuration = Configuration(Encoding.UTF8.GetBytes("old"), Encoding.UTF8.GetBytes("new-ca\n"));
        var patch = CaBundlePatch.Build(configuration, "new-ca\n")!;

        Assert.Equal(
            """[{"op":"test","path":"/webhooks/0/name","value":"pods.sidepool.dev"},{"op":"add","path":"/webhooks/0/clientConfig/caBundle","value":"bmV3LWNhCg=="}]""",
            patch.ToJsonString());
        Assert.Null(CaBundlePatch.Build(Configuration(Encoding.UTF8.GetBytes("new-ca\n"), Encoding.UTF8.GetBytes("new-ca\n")), "new-ca\n"));
    }

    [Fact]
    public async Task The_secret_store_and_the_ca_bundle_patch_work_against_the_api_server()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = KubernetesClient.ForServer(server.BaseAddress);
        await client.Resource(KubernetesResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = "sidepool-system" } });
        var store = new KubernetesSecretCertificateStore(client, "sidepool-system", "sidepool-webhook-tls");
        using var a = Provider(store, TimeProvider.System);
        using var b = Provider(store, TimeProvider.System);
        await a.RefreshAsync(CancellationToken.None);
        await b.RefreshAsync(CancellationToken.None);
        Assert.Equal(a.Current!.Thumbprint, b.Current!.Thumbprint);
        Assert.False(await store.WriteAsync(new Dictionary<string, byte[]>(), resourceVersion: null, CancellationToken.None));
        var secret = await client.Resource(KubernetesResources.Secrets).GetAsync("sidepool-webhook-tls", "sidepool-system");
        Assert.Equal("kubernetes.io/tls", secret.Type);

        var configurations = client.Resource(KubernetesResources.MutatingWebhookConfigurations);
        await configurations.CreateAsync(Configuration(null, null) with { Metadata = new ObjectMeta { Name = "sidepool" } });
        Assert.True(await CaBundlePatch.ApplyAsync(client, "sidepool", a.CaBundlePem!, CancellationToken.None));
        Assert.False(await CaBundlePatch.ApplyAsync(client, "sidepool", a.CaBundlePem!, CancellationToken.None));
        var stored = await configurations.GetAsync("sidepool");
        Assert.Equal(a.CaBundlePem, Encoding.UTF8.GetString(stored.Webhooks![0].ClientConfig.CaBundle!));
        Assert.Equal(a.CaBundlePem, Encoding.UTF8.GetString(stored.Webhooks![1].ClientConfig.CaBundle!));
        Assert.Equal("Ignore", stored.Webhooks[0].FailurePolicy);
    }

    private static MutatingWebhookConfiguration Configuration(byte[]? first, byte[]? second) => new()
    {
        Metadata = new ObjectMeta { Name = "sidepool" },
        Webhooks =
        [
            Hook("pods.sidepool.dev", first),
            Hook("pods-classic.sidepool.dev", second),
        ],
    };

    private static MutatingWebhook Hook(string name, byte[]? caBundle) => new()
    {
        Name = name,
        ClientConfig = new WebhookClientConfig
        {
            Service = new ServiceReference { NamespaceProperty = "sidepool-system", Name = "sidepool-webhook", Path = "/mutate-pods", Port = 443 },
            CaBundle = caBundle,
        },
        SideEffects = "None",
        AdmissionReviewVersions = ["v1"],
        FailurePolicy = "Ignore",
        TimeoutSeconds = 5,
        Rules = [new RuleWithOperations { Operations = ["CREATE"], ApiGroups = [""], ApiVersions = ["v1"], Resources = ["pods"], Scope = "Namespaced" }],
    };

    private static async Task WriteAsync(string caPem, string caKey, CertificateOptions options)
    {
        var (certificate, key) = SelfSignedIssuer.CreateServing(caPem, caKey, options.DnsNames, DateTimeOffset.UtcNow, TimeSpan.FromDays(10));
        await File.WriteAllTextAsync(Path.Combine(options.Directory, "tls.crt"), certificate);
        await File.WriteAllTextAsync(Path.Combine(options.Directory, "tls.key"), key);
        await File.WriteAllTextAsync(Path.Combine(options.Directory, "ca.crt"), caPem);
    }
}
