using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SidePool.Operator.Certificates;
using SidePool.Operator.Webhook;
using Xunit;

namespace SidePool.Operator.Tests.Webhook;

/// <summary>
/// <c>--allowed-image-prefix</c> in the webhook: a published version whose image is outside the prefixes (published
/// before the operator was given them) is not injected; the pod is admitted without it, with a warning and the
/// missing-sidecar reason <c>image_not_allowed</c>.
/// </summary>
public sealed class WebhookImagePolicyTests
{
    [Fact]
    public async Task A_version_whose_image_is_outside_the_prefixes_is_not_injected()
    {
        var (response, exposition) = await AdmitAsync(["registry.example/"]);

        Assert.True(response.Allowed);
        Assert.Null(response.Patch);
        var warning = Assert.Single(response.Warnings!);
        Assert.Contains("pool orders-db", warning, StringComparison.Ordinal);
        Assert.Contains("'ghcr.io/sidepool/sidecar:0.1.0' is not allowed", warning, StringComparison.Ordinal);
        Assert.Contains("'registry.example/'", warning, StringComparison.Ordinal);
        Assert.Contains("sidepool_operator_webhook_missing_sidecars_total{reason=\"image_not_allowed\"} 1", exposition, StringComparison.Ordinal);
        Assert.Contains("sidepool_operator_webhook_admissions_total{outcome=\"not_injected\"} 1", exposition, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_under_a_prefix_or_no_prefixes_at_all_is_injected()
    {
        foreach (var prefixes in new[] { new[] { "registry.example/", "ghcr.io/sidepool/" }, [] })
        {
            var (response, _) = await AdmitAsync(prefixes);
            Assert.True(response.Allowed);
            Assert.Equal("JSONPatch", response.PatchType);
            Assert.Contains("sidepool-orders-db", Encoding.UTF8.GetString(response.Patch!), StringComparison.Ordinal);
        }
    }

    private static async Task<(AdmissionResponse Response, string Exposition)> AdmitAsync(IReadOnlyList<string> prefixes)
    {
        var pools = new FakePoolSource();
        pools.Pools.Add(WebhookPools.Candidate("orders-db"));
        await using var server = await WebhookServer.StartAsync(pools, new FakeEventRecorder(), new MemoryCertificateStore(), new WebhookOptions { AllowedImagePrefixes = prefixes });
        using var client = server.CreateClient(server.Certificates.CaBundlePem!);
        using var content = new StringContent(WebhookPools.Review("uid-image"), Encoding.UTF8, "application/json");
        using var http = await client.PostAsync(server.Url, content);
        Assert.Equal(HttpStatusCode.OK, http.StatusCode);
        var review = JsonSerializer.Deserialize(await http.Content.ReadAsStringAsync(), WebhookJsonContext.Default.AdmissionReview)!;
        using var text = new MemoryStream();
        await server.Services.GetRequiredService<WebhookMetrics>().Registry.CollectAndExportAsTextAsync(text);
        return (review.Response!, Encoding.UTF8.GetString(text.ToArray()));
    }
}
