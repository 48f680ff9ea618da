namespace SidePool.Sandbox.Kubelet;

/// <summary>A container could not be started: <see cref="Reason"/> is its waiting reason (ErrImagePull, CreateContainerConfigError, RunContainerError).</summary>
internal sealed class ContainerStartException : Exception
{
    public ContainerStartException()
    {
        Reason = "RunContainerError";
    }

    public ContainerStartException(string message)
        : base(message)
    {
        Reason = "RunContainerError";
    }

    public ContainerStartException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = "RunContainerError";
    }

    public ContainerStartException(string reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public string Reason { get; }
}
