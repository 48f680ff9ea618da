using System.Net;
using k8s.Models;

namespace SidePool.Kubernetes.Errors;

/// <summary>
/// An error answer from the API server, typed by its <c>Status.reason</c> (or HTTP code when the body is not a Status).
/// Messages carry the verb, the resource path and the server's message, never request bodies, headers or tokens.
/// </summary>
public class KubernetesApiException : Exception
{
    public KubernetesApiException(string message, HttpStatusCode statusCode, V1Status? status, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Status = status;
    }

    public KubernetesApiException()
        : this("Kubernetes API error.", 0, null)
    {
    }

    public KubernetesApiException(string message)
        : this(message, 0, null)
    {
    }

    public KubernetesApiException(string message, Exception innerException)
        : this(message, 0, null, innerException)
    {
    }

    public HttpStatusCode StatusCode { get; }

    /// <summary>The server's Status body, when it sent one.</summary>
    public V1Status? Status { get; }

    /// <summary><c>Status.reason</c>, e.g. NotFound, Conflict, Expired.</summary>
    public string? Reason => Status?.Reason;
}

/// <summary>404 NotFound.</summary>
public sealed class KubernetesNotFoundException(string message, V1Status? status)
    : KubernetesApiException(message, HttpStatusCode.NotFound, status);

/// <summary>409 AlreadyExists (a create of a name that is taken).</summary>
public sealed class KubernetesAlreadyExistsException(string message, V1Status? status)
    : KubernetesApiException(message, HttpStatusCode.Conflict, status);

/// <summary>409 Conflict: the resourceVersion or a precondition no longer matches. Re-read, re-apply, retry.</summary>
public sealed class KubernetesConflictException(string message, V1Status? status)
    : KubernetesApiException(message, HttpStatusCode.Conflict, status);

/// <summary>422 Invalid, with one <see cref="StatusCause"/> per rejected field.</summary>
public sealed class KubernetesInvalidException(string message, V1Status? status)
    : KubernetesApiException(message, HttpStatusCode.UnprocessableEntity, status)
{
    public IList<V1StatusCause> Causes => Status?.Details?.Causes ?? [];
}

/// <summary>410 Expired/Gone: the resourceVersion is too old to watch or list from. Relist.</summary>
public sealed class KubernetesExpiredException(string message, V1Status? status)
    : KubernetesApiException(message, HttpStatusCode.Gone, status);

/// <summary>429 TooManyRequests, after the client's bounded retries ran out.</summary>
public sealed class KubernetesTooManyRequestsException(string message, V1Status? status, TimeSpan? retryAfter)
    : KubernetesApiException(message, HttpStatusCode.TooManyRequests, status)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>403 Forbidden: RBAC denies the verb.</summary>
public sealed class KubernetesForbiddenException(string message, V1Status? status)
    : KubernetesApiException(message, HttpStatusCode.Forbidden, status);

/// <summary>401 Unauthorized: the credentials were refused (after one refresh for exec plugins).</summary>
public sealed class KubernetesUnauthorizedException(string message, V1Status? status)
    : KubernetesApiException(message, HttpStatusCode.Unauthorized, status);

/// <summary>5xx from the server (InternalError, ServiceUnavailable, Timeout, ...).</summary>
public sealed class KubernetesServerErrorException(string message, HttpStatusCode statusCode, V1Status? status)
    : KubernetesApiException(message, statusCode, status);

/// <summary>The request could not be made or its answer could not be read (connection refused, TLS, timeout, bad JSON).</summary>
public sealed class KubernetesTransportException(string message, Exception? innerException)
    : KubernetesApiException(message, 0, null, innerException);
