namespace SidePool.Kubernetes.FakeServer.Admission;

/// <summary>
/// The apiserver's <c>ErrCallingWebhook</c>: the webhook could not be called or answered nonsense. Subject to
/// <c>failurePolicy</c>; the message is the apiserver's (<c>failed calling webhook "name": …</c>).
/// </summary>
internal sealed class WebhookCallException(string webhookName, string reason)
    : Exception($"failed calling webhook \"{webhookName}\": {reason}")
{
    public string WebhookName { get; } = webhookName;
}
