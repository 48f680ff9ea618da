namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// Writes a container's log to <paramref name="output"/> (flushing as it goes when following) and returns when the log
/// ends (or <paramref name="cancellationToken"/> fires: the client went away). Throw <see cref="PodLogUnavailableException"/>
/// when there is no log to serve (the container has not started): the client gets 400 with its message.
/// </summary>
public delegate Task PodLogSource(PodLogRequest request, Stream output, CancellationToken cancellationToken);
