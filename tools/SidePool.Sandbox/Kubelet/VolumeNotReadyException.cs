namespace SidePool.Sandbox.Kubelet;

/// <summary>A volume cannot be set up yet (its Secret or key is missing): the pod waits in ContainerCreating and the kubelet retries.</summary>
internal sealed class VolumeNotReadyException : Exception
{
    public VolumeNotReadyException()
    {
    }

    public VolumeNotReadyException(string message)
        : base(message)
    {
    }

    public VolumeNotReadyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
