using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.FakeServer;
using SidePool.Operator.Certificates;
using SidePool.Operator.Webhook;
using Xunit;

namespace SidePool.Operator.Tests.Webhook;

/// <summary>The defaults <see cref="WebhookServiceCollectionExtensions.AddSidePoolWebhook"/> registers, against the fake API server.</summary>
public sealed class WebhookRegistrationTests
{
    [Fact]
    public async Task Default_registrations_keep_certificates_in_a_secret_and_record_events_through_the_api()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = KubernetesClient.ForServer(server.BaseAddress);
        foreach (var name in new[] { "sidepool-system", "shop" })
        {
            await client.Resource(KubernetesResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IKubernetesClient>(client);
        services.AddSingleton<IPoolSource>(new FakePoolSource { Pools = { WebhookPools.Candidate("orders-db"), WebhookPools.Candidate("newer", port: 6432, created: DateTimeOffset.UnixEpoch.AddYears(60)) } });
        services.AddSidePoolWebhook(new WebhookOptions());
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<KubernetesSecretCertificateStore>(provider.GetRequiredService<ICertificateStore>());
        Assert.IsType<KubernetesAdmissionEventRecorder>(provider.GetRequiredService<IAdmissionEventRecorder>());
        var certificates = provider.GetRequiredService<WebhookCertificateProvider>();
        Assert.NotNull(certificates.ServerCertificateSelector(null, null));
        var secret = await client.Resource(KubernetesResources.Secrets).GetAsync("sidepool-webhook-tls", "sidepool-system");
        Assert.Equal(certificates.CaBundlePem, System.Text.Encoding.UTF8.GetString(secret.Data!["ca.crt"]));

        var review = JsonSerializer.Deserialize(WebhookPools.Review("uid-r"), WebhookJsonContext.Default.AdmissionReview)!;
        var answer = await provider.GetRequiredService<PodAdmissionHandler>().ReviewAsync(review, CancellationToken.None);
        Assert.True(answer.Response!.Allowed);
        Assert.NotNull(answer.Response.Patch);

        Event? recorded = null;
        for (var i = 0; i < 100 && recorded is null; i++)
        {
            var events = await client.Resource(KubernetesResources.Events).ListAsync("shop");
            recorded = events.Items.FirstOrDefault();
            if (recorded is null)
            {
                await Task.Delay(50);
            }
        }

        Assert.NotNull(recorded);
        Assert.Equal("SidecarPortConflict", recorded.Reason);
        Assert.Equal("Warning", recorded.Type);
        Assert.Equal("ConnectionPool", recorded.Regarding!.Kind);
        Assert.Equal("newer", recorded.Regarding.Name);
        Assert.Contains("orders-db", recorded.Note, StringComparison.Ordinal);
        Assert.Equal(KubernetesAdmissionEventRecorder.ReportingController, recorded.ReportingController);
    }

    [Fact]
    public async Task Pools_without_a_rendered_version_are_reported_and_skipped()
    {
        var pools = new FakePoolSource();
        pools.Pools.Add(WebhookPools.Candidate("orders-db") with { Rendered = null });
        var services = new ServiceCollection();
        services.AddLogging(l => l.ClearProviders());
        services.AddSingleton<IPoolSource>(pools);
        services.AddSingleton<IAdmissionEventRecorder>(new FakeEventRecorder());
        services.AddSingleton<ICertificateStore>(new MemoryCertificateStore());
        services.AddSidePoolWebhook(new WebhookOptions());
        await using var provider = services.BuildServiceProvider();

        var review = JsonSerializer.Deserialize(WebhookPools.Review("uid-n"), WebhookJsonContext.Default.AdmissionReview)!;
        var answer = (await provider.GetRequiredService<PodAdmissionHandler>().ReviewAsync(review, CancellationToken.None)).Response!;

        Assert.True(answer.Allowed);
        Assert.Null(answer.Patch);
        Assert.Contains(answer.Warnings!, w => w.Contains("orders-db", StringComparison.Ordinal) && w.Contains("no rendered version", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_options_are_refused_at_registration()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>(() => services.AddSidePoolWebhook(new WebhookOptions { Injection = new() { SidecarMode = "auto" } }));
        Assert.Throws<ArgumentException>(() => services.AddSidePoolWebhook(new WebhookOptions { AdmissionTimeout = TimeSpan.Zero }));
    }
}
