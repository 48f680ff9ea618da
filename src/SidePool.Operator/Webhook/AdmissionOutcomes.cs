namespace SidePool.Operator.Webhook;

/// <summary>Values of the <c>outcome</c> label.</summary>
public static class AdmissionOutcomes
{
    public const string Injected = "injected";
    public const string Unchanged = "unchanged";
    public const string NotInjected = "not_injected";
    public const string Ignored = "ignored";
    public const string Error = "error";
}
