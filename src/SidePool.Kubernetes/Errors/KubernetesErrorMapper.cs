using System.Net;
using SidePool.Kubernetes.Models;

namespace SidePool.Kubernetes.Errors;

/// <summary>Turns an HTTP error code plus an optional Status body into the matching typed exception.</summary>
public static class KubernetesErrorMapper
{
    public static KubernetesApiException Create(string operation, HttpStatusCode code, Status? status, TimeSpan? retryAfter = null)
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
    public static KubernetesApiException FromStatus(string operation, Status status) =>
        Create(operation, status.Code is { } c and > 0 ? (HttpStatusCode)c : HttpStatusCode.InternalServerError, status);
}
