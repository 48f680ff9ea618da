namespace SidePool.Operator.Webhook;

/// <summary>
/// An event about a pod the webhook admitted without (some of) its sidecars. The pod may have no name yet at
/// CREATE (<see cref="GenerateName"/> only). <see cref="Pool"/> is null when no single pool is concerned. Notes never
/// carry secrets.
/// </summary>
public sealed record AdmissionEvent(string Namespace, string? PodName, string? GenerateName, string? Pool, string Reason, string Note);

/// <summary>
/// Records admission events (the host wires it to the Kubernetes events API, tests use a fake). Implementations
/// must not block the admission for long: queue and return.
/// </summary>
public interface IAdmissionEventRecorder
{
    ValueTask RecordAsync(AdmissionEvent admissionEvent, CancellationToken cancellationToken);
}
