using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SidePool.Kubernetes.Auth;
using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Models;

namespace SidePool.Kubernetes.Client;

/// <summary>
/// Sends requests to one API server: authentication (one retry after a 401 when the credential can be refreshed),
/// per-request timeouts (none for watches), bounded Retry-After retries on 429, and typed errors from Status bodies.
/// </summary>
public sealed class KubernetesApiConnection : IDisposable
{
    private readonly HttpClient _http;
    private readonly IAuthenticationProvider? _authentication;
    private readonly bool _ownsHttpClient;

    public KubernetesApiConnection(KubernetesConnectionSettings settings, KubernetesClientOptions? options = null)
        : this(new HttpClient(KubernetesHttpHandlerFactory.Create(settings), disposeHandler: true), settings, options, ownsHttpClient: true)
    {
    }

    /// <summary>For tests or a custom handler chain: the caller's HttpClient (its BaseAddress is ignored).</summary>
    public KubernetesApiConnection(HttpClient http, KubernetesConnectionSettings settings, KubernetesClientOptions? options = null, bool ownsHttpClient = false)
    {
        _http = http;
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _authentication = settings.Authentication;
        _ownsHttpClient = ownsHttpClient;
        Settings = settings;
        Options = options ?? new KubernetesClientOptions();
    }

    public KubernetesConnectionSettings Settings { get; }

    public KubernetesClientOptions Options { get; }

    /// <summary>
    /// Sends the request and returns a successful response (the caller disposes it). Non-2xx answers throw a
    /// <see cref="KubernetesApiException"/> subtype.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(KubernetesRequest request, CancellationToken cancellationToken)
    {
        var uri = new Uri(Settings.Server, request.PathAndQuery);
        var refreshedAfterUnauthorized = false;
        var throttledRetries = 0;
        while (true)
        {
            using var timeout = request.Streaming ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout?.CancelAfter(Options.RequestTimeout);
            var token = timeout?.Token ?? cancellationToken;
            HttpResponseMessage response;
            try
            {
                using var message = await BuildMessageAsync(request, uri, token);
                response = await _http.SendAsync(message, request.Streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, token);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new KubernetesTransportException($"{request.Describe()}: no answer within {Options.RequestTimeout.TotalSeconds:0.#} s.", ex);
            }
            catch (HttpRequestException ex)
            {
                throw new KubernetesTransportException($"{request.Describe()}: {ex.Message}", ex);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            Status? status;
            TimeSpan? retryAfter;
            using (response)
            {
                status = await ReadStatusAsync(response, token);
                retryAfter = ReadRetryAfter(response, status);
            }

            var code = response.StatusCode;
            if (code == HttpStatusCode.Unauthorized && !refreshedAfterUnauthorized && _authentication?.Invalidate() == true)
            {
                refreshedAfterUnauthorized = true;
                continue;
            }

            var throttled = code == HttpStatusCode.TooManyRequests || (code == HttpStatusCode.ServiceUnavailable && retryAfter is not null);
            if (throttled && throttledRetries < Options.MaxTooManyRequestsRetries)
            {
                throttledRetries++;
                var delay = retryAfter ?? Options.DefaultRetryAfter;
                await Task.Delay(delay > Options.MaxRetryAfter ? Options.MaxRetryAfter : delay, cancellationToken);
                continue;
            }

            throw KubernetesErrorMapper.Create(request.Describe(), code, status, retryAfter);
        }
    }

    /// <summary>Sends and deserializes the body with the given type info.</summary>
    public async Task<T> SendAsync<T>(KubernetesRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        try
        {
            return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken)
                ?? throw new KubernetesTransportException($"{request.Describe()}: empty response body.", null);
        }
        catch (JsonException ex)
        {
            throw new KubernetesTransportException($"{request.Describe()}: the response is not a valid {typeof(T).Name} ({ex.Path}).", ex);
        }
    }

    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    private async Task<HttpRequestMessage> BuildMessageAsync(KubernetesRequest request, Uri uri, CancellationToken cancellationToken)
    {
        var message = new HttpRequestMessage(request.Method, uri);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        message.Headers.UserAgent.ParseAdd(Options.UserAgent);
        if (_authentication is not null)
        {
            message.Headers.Authorization = await _authentication.GetAuthorizationAsync(cancellationToken);
        }

        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue(request.ContentType ?? "application/json");
        }

        return message;
    }

    private static async Task<Status?> ReadStatusAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (bytes.Length == 0)
            {
                return null;
            }

            var status = JsonSerializer.Deserialize(bytes, KubernetesJsonContext.Default.Status);
            return status?.Kind == "Status" ? status : null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static TimeSpan? ReadRetryAfter(HttpResponseMessage response, Status? status)
    {
        if (response.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta)
            {
                return delta;
            }

            if (header.Date is { } date)
            {
                var wait = date - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        if (response.Headers.TryGetValues("Retry-After", out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return status?.Details?.RetryAfterSeconds is { } s and > 0 ? TimeSpan.FromSeconds(s) : null;
    }
}
