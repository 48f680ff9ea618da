using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace SidePool.Kubernetes.Errors;

/// <summary>Turns an HTTP error code plus an optional Status body into the matching typed exception.</summary>
public static class KubernetesErrorMapper
{
    public static KubernetesApiException Create(string operation, HttpStatusCode code, V1Status? status, TimeSpan? retryAfter = null)
    {
        var reason = status?.Reason;
        var detail = string.IsNullOrEmpty(status?.Message) ? code.ToString() : status!.Message;
        var message = $"{operation}: {(int)code} {reason ?? code.ToString()}: {detail}";
        return reason switch
        {
            "NotFound" => new KubernetesNotFoundException(message, status),
            "AlreadyExists" => new KubernetesAlreadyExistsException(message, status),
            "Conflict" => new KubernetesConflictException(message, status),
            "Invalid" => new KubernetesInvalidException(message, status),
            "Expired" or "Gone" => new KubernetesExpiredException(message, status),
            "TooManyRequests" => new KubernetesTooManyRequestsException(message, status, retryAfter),
            "Forbidden" => new KubernetesForbiddenException(message, status),
            "Unauthorized" => new KubernetesUnauthorizedException(message, status),
            _ => code switch
            {
                HttpStatusCode.NotFound => new KubernetesNotFoundException(message, status),
                HttpStatusCode.Conflict => new KubernetesConflictException(message, status),
                HttpStatusCode.UnprocessableEntity => new KubernetesInvalidException(message, status),
                HttpStatusCode.Gone => new KubernetesExpiredException(message, status),
                HttpStatusCode.TooManyRequests => new KubernetesTooManyRequestsException(message, status, retryAfter),
                HttpStatusCode.Forbidden => new KubernetesForbiddenException(message, status),
                HttpStatusCode.Unauthorized => new KubernetesUnauthorizedException(message, status),
                >= HttpStatusCode.InternalServerError => new KubernetesServerErrorException(message, code, status),
                _ => new KubernetesApiException(message, code, status),
            },
        };
    }

    /// <summary>For an in-stream watch ERROR event.</summary>
    public static KubernetesApiException FromStatus(string operation, V1Status status) =>
        Create(operation, status.Code is { } c and > 0 ? (HttpStatusCode)c : HttpStatusCode.InternalServerError, status);

    /// <summary>
    /// The typed exception for a KubernetesClient error answer: the Status body it carries (when it is one), the HTTP
    /// code, and the Retry-After of a 429/503.
    /// </summary>
    public static KubernetesApiException FromHttpOperation(string operation, HttpOperationException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var response = exception.Response;
        if (response is null)
        {
            return new KubernetesTransportException($"{operation}: {exception.Message}", exception);
        }

        var status = ReadStatus(response.Content);
        TimeSpan? retryAfter = null;
        if (response.Headers is { } headers && headers.TryGetValue("Retry-After", out var values)
            && int.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            retryAfter = TimeSpan.FromSeconds(seconds);
        }
        else if (status?.Details?.RetryAfterSeconds is { } fromStatus and > 0)
        {
            retryAfter = TimeSpan.FromSeconds(fromStatus);
        }

        return Create(operation, response.StatusCode, status, retryAfter);
    }

    private static V1Status? ReadStatus(string? content)
    {
        if (string.IsNullOrWhiteSpace(content) || content.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(content);
            return status?.Kind == "Status" ? status : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
