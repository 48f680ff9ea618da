using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SidePool.Operator.Webhook;

public static class WebhookEndpoints
{
    private const long ServerLimitMargin = 64 * 1024;

    /// <summary>
    /// Maps <c>POST /mutate-pods</c>: an <c>admission.k8s.io/v1</c> AdmissionReview in, the review with its
    /// response out. Map it on the HTTPS listener (see <see cref="Certificates.WebhookCertificateProvider"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapSidePoolWebhook(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(WebhookOptions.Path, HandleAsync);
        return endpoints;
    }

    private static async Task HandleAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<WebhookOptions>();
        if (context.Request.ContentLength > options.MaxRequestBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        // The limited stream below enforces the limit on any body, also one without Content-Length (chunked, HTTP/2).
        // Kestrel's own limit (30 MB by default) is set a little above ours: it must not cut a larger MaxRequestBytes
        // short, nor refuse a chunked body of exactly our limit (set equal to ours, it did), and it still bounds what
        // Kestrel drains after an early 413.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } serverLimit)
        {
            serverLimit.MaxRequestBodySize = options.MaxRequestBytes + ServerLimitMargin;
        }

        if (context.Request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        AdmissionReview? review;
        try
        {
            await using var body = new LengthLimitedStream(context.Request.Body, options.MaxRequestBytes);
            review = await JsonSerializer.DeserializeAsync(body, WebhookJsonContext.Default.AdmissionReview, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            review = null;
        }
        catch (Exception ex) when (ex is RequestBodyTooLargeException or BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        if (review?.Request is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("expected an admission.k8s.io/v1 AdmissionReview with a request\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var answer = await services.GetRequiredService<PodAdmissionHandler>().ReviewAsync(review, context.RequestAborted).ConfigureAwait(false);
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, answer, WebhookJsonContext.Default.AdmissionReview, context.RequestAborted).ConfigureAwait(false);
    }
}
