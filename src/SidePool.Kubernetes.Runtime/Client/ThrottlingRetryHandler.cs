using System.Globalization;
using System.Net;

namespace SidePool.Kubernetes.Client;

/// <summary>
/// Retries a request the API server throttled (429, or 503 with Retry-After) after the Retry-After it names, at most
/// <see cref="KubernetesClientOptions.MaxTooManyRequestsRetries"/> times, as client-go does; the last answer is
/// returned as it is, so the caller sees a typed TooManyRequests error with its Retry-After.
/// </summary>
public sealed class ThrottlingRetryHandler(KubernetesClientOptions options, TimeProvider? time = null) : DelegatingHandler
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var retryAfter = RetryAfter(response);
            var throttled = response.StatusCode == HttpStatusCode.TooManyRequests
                || (response.StatusCode == HttpStatusCode.ServiceUnavailable && retryAfter is not null);
            if (!throttled || attempt >= options.MaxTooManyRequestsRetries)
            {
                return response;
            }

            response.Dispose();
            var delay = retryAfter ?? options.DefaultRetryAfter;
            await Task.Delay(delay > options.MaxRetryAfter ? options.MaxRetryAfter : delay, _time, cancellationToken);
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response)
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

        return response.Headers.TryGetValues("Retry-After", out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }
}
