namespace SidePool.Sandbox.Podman;

/// <summary>
/// Labels on every podman pod and container the sandbox creates: <c>down</c> (and a later <c>up</c>) finds what a crashed run
/// left by its state directory.
/// </summary>
internal static class SandboxLabels
{
    /// <summary>The full path of the state directory of the sandbox that created the object.</summary>
    public const string StateDirectory = "sandbox.sidepool.dev/state-dir";

    /// <summary>The Kubernetes pod's uid.</summary>
    public const string PodUid = "sandbox.sidepool.dev/pod-uid";

    /// <summary><c>namespace/name</c> of the Kubernetes pod.</summary>
    public const string Pod = "sandbox.sidepool.dev/pod";

    /// <summary>The Kubernetes container's name (the forwarder: <see cref="ForwarderContainer"/>).</summary>
    public const string Container = "sandbox.sidepool.dev/container";

    public const string ForwarderContainer = "sandbox-postgres-forwarder";

    public static string Filter(string key, string value) => $"label={key}={value}";
}
