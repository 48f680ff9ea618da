namespace SidePool.Kubernetes.FakeServer;

/// <summary>Thrown by a <see cref="PodLogSource"/>: no log to serve (e.g. <c>container "x" in pod "y" is waiting to start: ContainerCreating</c>).</summary>
public sealed class PodLogUnavailableException : Exception
{
    public PodLogUnavailableException()
    {
    }

    public PodLogUnavailableException(string message)
        : base(message)
    {
    }

    public PodLogUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
