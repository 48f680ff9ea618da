using System.Net;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Runtime.Tests.Support;
using Xunit;

namespace SidePool.Kubernetes.Runtime.Tests;

public sealed class ErrorHandlingTests
{
    private const string Token = "s3cr3t-token-value";

    public static TheoryData<int, string, Type> StatusCases => new()
    {
        { 404, "NotFound", typeof(KubernetesNotFoundException) },
        { 409, "AlreadyExists", typeof(KubernetesAlreadyExistsException) },
        { 409, "Conflict", typeof(KubernetesConflictException) },
        { 422, "Invalid", typeof(KubernetesInvalidException) },
        { 410, "Expired", typeof(KubernetesExpiredException) },
        { 410, "Gone", typeof(KubernetesExpiredException) },
        { 403, "Forbidden", typeof(KubernetesForbiddenException) },
        { 401, "Unauthorized", typeof(KubernetesUnauthorizedException) },
        { 500, "InternalError", typeof(KubernetesServerErrorException) },
        { 504, "Timeout", typeof(KubernetesServerErrorException) },
    };

    [Theory]
    [MemberData(nameof(StatusCases))]
    public async Task Status_bodies_become_typed_errors_without_secrets(int code, string reason, Type expected)
    {
        await using var server = RawHttpServer.Start((_, stream, ct) =>
            RawHttpServer.WriteResponseAsync(stream, code, RawHttpServer.StatusJson(code, reason, $"configmaps x {reason}"), cancellationToken: ct));
        using var client = TestClients.For(server.BaseAddress, Token);
        var error = await Assert.ThrowsAnyAsync<KubernetesApiException>(() => client.Resource(KubernetesResources.ConfigMaps).GetAsync("x", "default"));
        Assert.IsType(expected, error);
        Assert.Equal(reason, error.Reason);
        Assert.Equal(code, (int)error.StatusCode);
        Assert.Contains("/api/v1/namespaces/default/configmaps/x", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_carries_its_causes()
    {
        const string details = """{"name":"x","kind":"ConfigMap","causes":[{"reason":"FieldValueInvalid","message":"Invalid value","field":"metadata.name"}]}""";
        await using var server = RawHttpServer.Start((_, stream, ct) =>
            RawHttpServer.WriteResponseAsync(stream, 422, RawHttpServer.StatusJson(422, "Invalid", "ConfigMap x is invalid", details), cancellationToken: ct));
        using var client = TestClients.For(server.BaseAddress);
        var error = await Assert.ThrowsAsync<KubernetesInvalidException>(() => client.Resource(KubernetesResources.ConfigMaps).CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "x" } }));
        var cause = Assert.Single(error.Causes);
        Assert.Equal("metadata.name", cause.Field);
        Assert.Equal("FieldValueInvalid", cause.Reason);
    }

    [Fact]
    public async Task Secret_data_sent_in_a_failed_request_never_reaches_the_message()
    {
        await using var server = RawHttpServer.Start((_, stream, ct) =>
            RawHttpServer.WriteResponseAsync(stream, 500, "upstream exploded", "text/plain", cancellationToken: ct));
        using var client = TestClients.For(server.BaseAddress, Token);
        var secret = new Secret { Metadata = new ObjectMeta { Name = "db" }, StringData = new Dictionary<string, string> { ["password"] = "hunter2-password" } };
        var error = await Assert.ThrowsAsync<KubernetesServerErrorException>(() => client.Resource(KubernetesResources.Secrets).CreateAsync(secret));
        Assert.DoesNotContain("hunter2-password", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-password", secret.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_requests_is_retried_after_retry_after_then_succeeds()
    {
        var calls = 0;
        await using var server = RawHttpServer.Start((_, stream, ct) =>
            Interlocked.Increment(ref calls) <= 2
                ? RawHttpServer.WriteResponseAsync(stream, 429, RawHttpServer.StatusJson(429, "TooManyRequests", "slow down", """{"retryAfterSeconds":1}"""), headers: new Dictionary<string, string> { ["Retry-After"] = "0" }, cancellationToken: ct)
                : RawHttpServer.WriteResponseAsync(stream, 200, """{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"}}""", cancellationToken: ct));
        using var client = TestClients.For(server.BaseAddress);
        var map = await client.Resource(KubernetesResources.ConfigMaps).GetAsync("x");
        Assert.Equal("x", map.Metadata!.Name);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Too_many_requests_gives_up_after_the_bounded_retries()
    {
        var calls = 0;
        await using var server = RawHttpServer.Start((_, stream, ct) =>
        {
            Interlocked.Increment(ref calls);
            return RawHttpServer.WriteResponseAsync(stream, 429, RawHttpServer.StatusJson(429, "TooManyRequests", "slow down"), headers: new Dictionary<string, string> { ["Retry-After"] = "0" }, cancellationToken: ct);
        });
        using var client = TestClients.For(server.BaseAddress, options: new KubernetesClientOptions { MaxTooManyRequestsRetries = 3 });
        var error = await Assert.ThrowsAsync<KubernetesTooManyRequestsException>(() => client.Resource(KubernetesResources.ConfigMaps).GetAsync("x"));
        Assert.Equal(TimeSpan.Zero, error.RetryAfter);
        Assert.Equal(4, calls);
    }

    [Fact]
    public async Task A_request_that_gets_no_answer_times_out()
    {
        await using var server = RawHttpServer.Start((_, _, ct) => Task.Delay(Timeout.Infinite, ct));
        using var client = TestClients.For(server.BaseAddress, options: new KubernetesClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var error = await Assert.ThrowsAsync<KubernetesTransportException>(() => client.Resource(KubernetesResources.ConfigMaps).GetAsync("x"));
        Assert.Contains("no answer within", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_has_no_request_timeout()
    {
        await using var server = RawHttpServer.Start(async (_, stream, ct) =>
        {
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray(), ct);
            await stream.FlushAsync(ct);
            await Task.Delay(800, ct);
            var frame = """{"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"late","resourceVersion":"5"}}}""" + "\n";
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{System.Text.Encoding.UTF8.GetByteCount(frame):x}\r\n{frame}\r\n0\r\n\r\n"), ct);
            await stream.FlushAsync(ct);
        });
        using var client = TestClients.For(server.BaseAddress, options: new KubernetesClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) });
        var names = new List<string>();
        await foreach (var e in client.Resource(KubernetesResources.ConfigMaps).WatchAsync("default"))
        {
            names.Add(e.Object!.Metadata!.Name!);
        }

        Assert.Equal(["late"], names);
    }

    [Fact]
    public async Task A_410_answer_to_a_watch_throws_expired()
    {
        await using var server = RawHttpServer.Start((_, stream, ct) =>
            RawHttpServer.WriteResponseAsync(stream, 410, RawHttpServer.StatusJson(410, "Expired", "too old resource version: 1 (50)"), cancellationToken: ct));
        using var client = TestClients.For(server.BaseAddress);
        await Assert.ThrowsAsync<KubernetesExpiredException>(async () =>
        {
            await foreach (var _ in client.Resource(KubernetesResources.ConfigMaps).WatchAsync("default", new WatchOptions { ResourceVersion = "1" }))
            {
            }
        });
    }

    [Fact]
    public async Task An_in_stream_error_event_is_yielded_with_its_status()
    {
        await using var server = RawHttpServer.Start((_, stream, ct) =>
            RawHttpServer.WriteResponseAsync(stream, 200, """{"type":"ERROR","object":""" + RawHttpServer.StatusJson(410, "Expired", "too old") + "}\n", cancellationToken: ct));
        using var client = TestClients.For(server.BaseAddress);
        var events = new List<WatchEvent<ConfigMap>>();
        await foreach (var e in client.Resource(KubernetesResources.ConfigMaps).WatchAsync("default"))
        {
            events.Add(e);
        }

        var only = Assert.Single(events);
        Assert.Equal(WatchEventType.Error, only.Type);
        Assert.Equal(410, only.Status!.Code);
        Assert.Equal("Expired", only.Status.Reason);
        Assert.IsType<KubernetesExpiredException>(KubernetesErrorMapper.FromStatus("WATCH", only.Status));
    }

    [Fact]
    public async Task Connection_refused_is_a_transport_error()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = TestClients.For(new Uri($"http://127.0.0.1:{port}/"));
        await Assert.ThrowsAsync<KubernetesTransportException>(() => client.Resource(KubernetesResources.ConfigMaps).GetAsync("x"));
    }
}
