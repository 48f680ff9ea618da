using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SidePool.Operator.Certificates;
using SidePool.Operator.Webhook;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Operator.Tests.Webhook;

/// <summary>The webhook over real HTTPS, trusted only through the generated CA bundle.</summary>
public sealed class WebhookHttpsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly OpenApiSchemaValidator Schema = new(Reference.OpenApiDirectory);
    private readonly FakePoolSource _pools = new();
    private readonly FakeEventRecorder _events = new();
    private readonly MemoryCertificateStore _store = new();
    private WebhookServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await WebhookServer.StartAsync(_pools, _events, _store);
        _client = _server.CreateClient(_server.Certificates.CaBundlePem!);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<AdmissionResponse> PostAsync(string review, HttpClient? client = null)
    {
        using var content = new StringContent(review, Encoding.UTF8, "application/json");
        using var response = await (client ?? _client).PostAsync(_server.Url, content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var answer = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), WebhookJsonContext.Default.AdmissionReview)!;
        Assert.Equal("admission.k8s.io/v1", answer.ApiVersion);
        Assert.Equal("AdmissionReview", answer.Kind);
        Assert.Null(answer.Request);
        return answer.Response!;
    }

    /// <summary>The webhook's exposition, as <c>/metrics</c> serves it.</summary>
    private async Task<string> ExpositionAsync()
    {
        using var text = new MemoryStream();
        await _server.Services.GetRequiredService<WebhookMetrics>().Registry.CollectAndExportAsTextAsync(text);
        return Encoding.UTF8.GetString(text.ToArray());
    }

    private async Task<double> SeriesAsync(string series)
    {
        var line = (await ExpositionAsync()).Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_matching_pod_is_allowed_with_a_json_patch_that_yields_a_valid_pod()
    {
        _pools.Pools.Add(WebhookPools.Candidate("orders-db"));
        _pools.Pools.Add(WebhookPools.Candidate("elsewhere", ns: "other", port: 7000));
        _pools.Pools.Add(WebhookPools.Candidate("going-away", port: 7001, deleting: true));
        var before = await SeriesAsync("sidepool_operator_webhook_admissions_total{outcome=\"injected\"}");

        var response = await PostAsync(WebhookPools.Review("uid-1"));

        Assert.Equal("uid-1", response.Uid);
        Assert.True(response.Allowed);
        Assert.Equal("JSONPatch", response.PatchType);
        var patch = (JsonArray)JsonNode.Parse(response.Patch!)!;
        var pod = JsonPatchApplier.Apply((JsonObject)JsonNode.Parse(WebhookPools.Pod())!, patch);
        var errors = Schema.Validate(pod.ToJsonString(), "io.k8s.api.core.v1.Pod");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        var sidecars = ((JsonArray)pod["spec"]!["initContainers"]!).Select(c => c!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(["sidepool-orders-db"], sidecars);
        Assert.NotNull(pod["metadata"]!["labels"]!["pools.sidepool.dev/orders-db"]);
        Assert.DoesNotContain(WebhookPools.Password, Encoding.UTF8.GetString(response.Patch!), StringComparison.Ordinal);
        Assert.Null(response.Warnings);
        Assert.Empty(_events.Events);
        Assert.Equal(before + 1, await SeriesAsync("sidepool_operator_webhook_admissions_total{outcome=\"injected\"}"));
        Assert.Contains("sidepool_operator_webhook_duration_seconds_count", await ExpositionAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pods_without_a_matching_pool_and_other_operations_are_allowed_unchanged()
    {
        _pools.Pools.Add(WebhookPools.Candidate("orders-db"));
        var unlabeled = WebhookPools.Pod().Replace("\"app\": \"orders\"", "\"app\": \"billing\"", StringComparison.Ordinal);

        var none = await PostAsync(WebhookPools.Review("uid-2", unlabeled));
        var update = await PostAsync(WebhookPools.Review("uid-3", operation: "UPDATE"));
        var other = await PostAsync(WebhookPools.Review("uid-4", resource: "configmaps"));

        foreach (var response in new[] { none, update, other })
        {
            Assert.True(response.Allowed);
            Assert.Null(response.Patch);
            Assert.Null(response.PatchType);
        }

        Assert.Equal(["uid-2", "uid-3", "uid-4"], new[] { none.Uid, update.Uid, other.Uid });
    }

    [Fact]
    public async Task Dry_runs_get_the_patch_and_warnings_but_record_no_events()
    {
        _pools.Pools.Add(WebhookPools.Candidate("orders-db"));
        _pools.Pools.Add(WebhookPools.Candidate("newer", created: DateTimeOffset.UnixEpoch.AddYears(60)));

        var dry = await PostAsync(WebhookPools.Review("uid-5", dryRun: true));
        Assert.True(dry.Allowed);
        Assert.NotNull(dry.Patch);
        Assert.Contains(dry.Warnings!, w => w.Contains("newer", StringComparison.Ordinal) && w.Contains("orders-db", StringComparison.Ordinal));
        Assert.Empty(_events.Events);

        var real = await PostAsync(WebhookPools.Review("uid-6"));
        Assert.NotNull(real.Patch);
        var recorded = Assert.Single(_events.Events);
        Assert.Equal("SidecarPortConflict", recorded.Reason);
        Assert.Equal("newer", recorded.Pool);
        Assert.Equal("orders-7d9f-", recorded.GenerateName);
    }

    [Fact]
    public async Task Trust_pools_are_refused_for_host_network_pods_with_a_warning_and_an_event()
    {
        _pools.Pools.Add(WebhookPools.Candidate("orders-db"));
        var before = await SeriesAsync("sidepool_operator_webhook_missing_sidecars_total{reason=\"host_network\"}");

        var response = await PostAsync(WebhookPools.Review("uid-7", WebhookPools.Pod("\"hostNetwork\": true,")));

        Assert.True(response.Allowed);
        Assert.Null(response.Patch);
        Assert.Contains(response.Warnings!, w => w.Contains("hostNetwork", StringComparison.Ordinal));
        Assert.Equal("SidecarRefusedHostNetwork", Assert.Single(_events.Events).Reason);
        Assert.Equal(before + 1, await SeriesAsync("sidepool_operator_webhook_missing_sidecars_total{reason=\"host_network\"}"));
    }

    [Fact]
    public async Task A_pod_declaring_the_sidecar_port_is_admitted_without_it_with_a_warning_and_an_event()
    {
        _pools.Pools.Add(WebhookPools.Candidate("orders-db"));
        var before = await SeriesAsync("sidepool_operator_webhook_missing_sidecars_total{reason=\"port_in_use\"}");
        var pod = WebhookPools.Pod().Replace("\"name\": \"web\", \"image\": \"shop/web:1\"", "\"name\": \"web\", \"image\": \"shop/web:1\", \"ports\": [ { \"containerPort\": 6432 } ]", StringComparison.Ordinal);

        var response = await PostAsync(WebhookPools.Review("uid-9", pod));

        Assert.True(response.Allowed);
        Assert.Null(response.Patch);
        Assert.Contains(response.Warnings!, w => w.Contains("port 6432", StringComparison.Ordinal) && w.Contains("container web", StringComparison.Ordinal));
        var recorded = Assert.Single(_events.Events);
        Assert.Equal(("SidecarPortInUse", "orders-db"), (recorded.Reason, recorded.Pool));
        Assert.Equal(before + 1, await SeriesAsync("sidepool_operator_webhook_missing_sidecars_total{reason=\"port_in_use\"}"));
    }

    [Fact]
    public async Task An_internal_error_allows_the_pod_with_a_warning_an_event_and_the_metrics()
    {
        _pools.Failure = new InvalidOperationException("informer cache not synced");
        var errors = await SeriesAsync("sidepool_operator_webhook_admissions_total{outcome=\"error\"}");
        var missing = await SeriesAsync("sidepool_operator_webhook_missing_sidecars_total{reason=\"error\"}");

        var response = await PostAsync(WebhookPools.Review("uid-8"));

        Assert.Equal("uid-8", response.Uid);
        Assert.True(response.Allowed);
        Assert.Null(response.Patch);
        Assert.Equal([PodAdmissionHandler.InternalErrorWarning], response.Warnings);
        Assert.Equal("SidecarInjectionFailed", Assert.Single(_events.Events).Reason);
        Assert.Equal(errors + 1, await SeriesAsync("sidepool_operator_webhook_admissions_total{outcome=\"error\"}"));
        Assert.Equal(missing + 1, await SeriesAsync("sidepool_operator_webhook_missing_sidecars_total{reason=\"error\"}"));

        var dry = await PostAsync(WebhookPools.Review("uid-9", dryRun: true));
        Assert.True(dry.Allowed);
        Assert.Single(_events.Events);
    }

    [Fact]
    public async Task A_pool_source_slower_than_the_budget_does_not_hold_the_pod()
    {
        await using var server = await WebhookServer.StartAsync(new SlowPoolSource(), _events, new MemoryCertificateStore(), new WebhookOptions { AdmissionTimeout = TimeSpan.FromMilliseconds(200) });
        using var client = server.CreateClient(server.Certificates.CaBundlePem!);
        using var content = new StringContent(WebhookPools.Review("uid-10"), Encoding.UTF8, "application/json");
        var watch = Stopwatch.StartNew();
        using var response = await client.PostAsync(server.Url, content);
        var answer = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), WebhookJsonContext.Default.AdmissionReview)!.Response!;

        Assert.True(answer.Allowed);
        Assert.Equal([PodAdmissionHandler.InternalErrorWarning], answer.Warnings);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Malformed_reviews_are_bad_requests()
    {
        using var content = new StringContent("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}", Encoding.UTF8, "application/json");
        using var response = await _client.PostAsync(_server.Url, content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        using var garbage = new StringContent("not json", Encoding.UTF8, "application/json");
        using var second = await _client.PostAsync(_server.Url, garbage);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
    }

    [Fact]
    public async Task Bodies_over_the_size_limit_are_refused_with_413_also_when_chunked()
    {
        _pools.Pools.Add(WebhookPools.Candidate("orders-db"));
        var limit = new WebhookOptions().MaxRequestBytes;

        // Exactly at the limit, sent chunked (no Content-Length): read and answered.
        using (var atLimit = await PostChunkedAsync(PaddedReview("uid-at-limit", limit)))
        {
            Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
            var answer = JsonSerializer.Deserialize(await atLimit.Content.ReadAsStringAsync(), WebhookJsonContext.Default.AdmissionReview)!;
            Assert.Equal("uid-at-limit", answer.Response!.Uid);
            Assert.NotNull(answer.Response.Patch);
        }

        // One byte over, chunked: the limit holds while reading.
        using (var chunked = await PostChunkedAsync(PaddedReview("uid-over-chunked", limit + 1)))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        }

        // One byte over with a Content-Length: refused before reading.
        using var content = new ByteArrayContent(PaddedReview("uid-over-length", limit + 1));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var withLength = await _client.PostAsync(_server.Url, content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withLength.StatusCode);
    }

    /// <summary>A review padded with spaces (valid JSON) to exactly <paramref name="size"/> bytes.</summary>
    private static byte[] PaddedReview(string uid, long size)
    {
        var review = Encoding.UTF8.GetBytes(WebhookPools.Review(uid));
        var body = new byte[size];
        review.CopyTo(body, 0);
        body.AsSpan(review.Length).Fill((byte)' ');
        return body;
    }

    private async Task<HttpResponseMessage> PostChunkedAsync(byte[] body)
    {
        var content = new UnknownLengthContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, _server.Url) { Content = content };
        var response = await _client.SendAsync(request);
        Assert.True(request.Headers.TransferEncodingChunked ?? false, "the request must go out chunked");
        Assert.Null(request.Content.Headers.ContentLength);
        return response;
    }

    [Fact]
    public async Task A_client_that_does_not_trust_the_ca_cannot_connect()
    {
        var (otherCa, _) = SelfSignedIssuer.CreateCa("someone-else", DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
        using var stranger = _server.CreateClient(otherCa);
        await Assert.ThrowsAsync<HttpRequestException>(() => PostAsync(WebhookPools.Review("uid-11"), stranger));
    }

    [Fact]
    public async Task A_renewed_certificate_is_served_to_new_connections_without_a_restart()
    {
        X509Certificate2? first = null, second = null;
        using (var client = _server.CreateClient(_server.Certificates.CaBundlePem!, c => first = c))
        {
            Assert.True((await PostAsync(WebhookPools.Review("uid-12"), client)).Allowed);
        }

        Assert.True(await _server.Certificates.RenewAsync(CancellationToken.None));
        using (var client = _server.CreateClient(_server.Certificates.CaBundlePem!, c => second = c))
        {
            Assert.True((await PostAsync(WebhookPools.Review("uid-13"), client)).Allowed);
        }

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.NotEqual(first.Thumbprint, second.Thumbprint);
        Assert.Equal(_server.Certificates.Current!.Thumbprint, second.Thumbprint);
        Assert.Contains(WebhookServer.Host, second.GetNameInfo(X509NameType.DnsName, forIssuer: false), StringComparison.Ordinal);
        Assert.Equal(2, _store.Writes);
    }

    [Fact]
    public async Task Latency_over_a_thousand_admissions()
    {
        _pools.Pools.Add(WebhookPools.Candidate("orders-db"));
        _pools.Pools.Add(WebhookPools.Candidate("reports-db", port: 6433, created: DateTimeOffset.UnixEpoch.AddYears(57)));
        for (var i = 0; i < 50; i++)
        {
            await PostAsync(WebhookPools.Review($"warm-{i}"));
        }

        var samples = new double[1000];
        for (var i = 0; i < samples.Length; i++)
        {
            var watch = Stopwatch.StartNew();
            var response = await PostAsync(WebhookPools.Review($"uid-{i}"));
            samples[i] = watch.Elapsed.TotalMilliseconds;
            Assert.NotNull(response.Patch);
        }

        Array.Sort(samples);
        var p50 = samples[499];
        var p99 = samples[989];
        output.WriteLine($"webhook latency over HTTPS (keep-alive, 2 pools, {samples.Length} admissions): p50 {p50:F2} ms, p99 {p99:F2} ms, max {samples[^1]:F2} ms");
        Console.WriteLine($"WEBHOOK-LATENCY p50={p50:F2}ms p99={p99:F2}ms max={samples[^1]:F2}ms");
        Assert.InRange(p99, 0, 2000);
    }

    /// <summary>Content whose length is not known up front: HttpClient sends it chunked, without Content-Length.</summary>
    private sealed class UnknownLengthContent(byte[] body) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private sealed class SlowPoolSource : IPoolSource
    {
        public async ValueTask<IReadOnlyList<PoolCandidate>> GetPoolsAsync(string @namespace, IDictionary<string, string>? podAnnotations, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            return [];
        }
    }
}
