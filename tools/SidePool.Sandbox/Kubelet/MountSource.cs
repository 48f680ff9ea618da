namespace SidePool.Sandbox.Kubelet;

/// <summary>A volume's host directory (under the state directory) and whether every mount of it is read-only (Secret volumes are).</summary>
internal sealed record MountSource(string HostPath, bool AlwaysReadOnly);
