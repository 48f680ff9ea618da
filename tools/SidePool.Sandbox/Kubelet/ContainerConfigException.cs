namespace SidePool.Sandbox.Kubelet;

/// <summary>A container's configuration cannot be resolved (e.g. a Secret its env names is missing): CreateContainerConfigError, retried.</summary>
internal sealed class ContainerConfigException : Exception
{
    public ContainerConfigException()
    {
    }

    public ContainerConfigException(string message)
        : base(message)
    {
    }

    public ContainerConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
