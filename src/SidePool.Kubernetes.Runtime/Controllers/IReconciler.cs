namespace SidePool.Kubernetes.Runtime.Controllers;

/// <summary>Brings the world in line with the desired state of one key. Must be idempotent.</summary>
public interface IReconciler<in TKey>
{
    Task<ReconcileResult> ReconcileAsync(TKey key, CancellationToken cancellationToken);
}
