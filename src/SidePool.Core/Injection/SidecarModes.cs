namespace SidePool.Core;

/// <summary>How the sidecar is added to a pod.</summary>
public static class SidecarModes
{
    /// <summary>An init container with <c>restartPolicy: Always</c> (Kubernetes 1.29+ on every node).</summary>
    public const string Native = "native";

    /// <summary>A regular container; the agent keeps serving until the app's clients are gone.</summary>
    public const string Classic = "classic";

    public static bool IsValid(string mode) => mode is Native or Classic;
}
