namespace SidePool.Contract;

/// <summary>
/// The pod/version contract, in one home: what the operator writes, the webhook stamps and the agent reads. A pool
/// <c>P</c> publishes each version <c>V</c> (a SHA-256 hex; its first 10 characters are the short version) as the
/// Secret <c>P-V</c> (<see cref="Secrets"/>) holding the files of <see cref="Files"/>; the webhook injects a sidecar named by
/// <see cref="Sidecar"/> that mounts it and stamps the pod with the <see cref="Labels"/> and <see cref="Annotations"/> that say
/// which version it runs; the operator rolls workloads by changing a pod-template annotation. docs/contract.md lists
/// every name with its meaning (a test keeps the two in step).
/// </summary>
public static partial class VersionContract
{
    /// <summary>Length of a short version (or revision): the first hex characters of the full hash, used in names.</summary>
    public const int ShortLength = 10;

    /// <summary>The PgBouncer admin user the agent uses over the unix socket.</summary>
    public const string AdminUser = "sidepool-agent";

    /// <summary>The pool's finalizer: on deletion its stamps leave the workloads and mounted Secrets stay.</summary>
    public const string Finalizer = "sidepool.dev/cleanup";

    /// <summary>Short form of a hash: its first <see cref="ShortLength"/> hex characters.</summary>
    public static string Short(string fullHash) => fullHash[..Math.Min(ShortLength, fullHash.Length)];
}
