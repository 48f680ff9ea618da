namespace SidePool.Sandbox.Kubelet;

/// <summary>One file of a Secret volume's payload: its bytes and its mode (<c>defaultMode</c> or the item's <c>mode</c>).</summary>
internal sealed record VolumeFile(byte[] Content, int Mode);
