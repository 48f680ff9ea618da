namespace SidePool.Operator.Webhook;

/// <summary>A request body went past the webhook's <see cref="WebhookOptions.MaxRequestBytes"/> while being read.</summary>
public sealed class RequestBodyTooLargeException : IOException
{
    public RequestBodyTooLargeException()
    {
    }

    public RequestBodyTooLargeException(long limit)
        : base($"the request body is larger than {limit} bytes")
    {
    }

    public RequestBodyTooLargeException(string message)
        : base(message)
    {
    }

    public RequestBodyTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
