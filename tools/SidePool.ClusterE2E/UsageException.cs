namespace SidePool.ClusterE2E;

/// <summary>Something the person running the runner must fix (a kubeconfig, a leftover namespace): reported as one line.</summary>
internal sealed class UsageException(string message) : Exception(message);
