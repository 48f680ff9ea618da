using System.Globalization;
using System.Text;
using SidePool.Kubernetes.FakeServer;
using SidePool.Sandbox.Podman;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// Serves <c>pods/log</c> from <c>podman logs [--follow] [--tail N] [--timestamps]</c> of the container (or its previous
/// instance): stdout and stderr merged line by line, as the container runtime's log file holds them.
/// </summary>
internal static class ContainerLogs
{
    public static async Task StreamAsync(PodmanCli podman, PodWorker pod, PodLogRequest request, Stream output, CancellationToken cancellationToken)
    {
        var container = pod.Find(request.Container) ?? throw new PodLogUnavailableException($"container {request.Container} is not valid for pod {request.Pod}");
        if (!container.Created)
        {
            throw new PodLogUnavailableException($"container \"{request.Container}\" in pod \"{request.Pod}\" is waiting to start: {container.WaitingReason}");
        }

        if (request.Previous && !container.HasPrevious)
        {
            throw new PodLogUnavailableException($"previous terminated container \"{request.Container}\" in pod \"{request.Pod}\" not found");
        }

        List<string> arguments = ["logs"];
        if (request.Follow)
        {
            arguments.Add("--follow");
        }

        if (request.TailLines is { } tail)
        {
            arguments.Add("--tail");
            arguments.Add(tail.ToString(CultureInfo.InvariantCulture));
        }

        if (request.Timestamps)
        {
            arguments.Add("--timestamps");
        }

        arguments.Add(request.Previous ? container.PreviousPodmanName : container.PodmanName);
        using var process = podman.Start(arguments);
        using var registration = cancellationToken.Register(() => PodmanCli.Kill(process));
        using var gate = new SemaphoreSlim(1, 1);
        async Task CopyAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                await gate.WaitAsync(CancellationToken.None);
                try
                {
                    await output.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"), cancellationToken);
                }
                finally
                {
                    gate.Release();
                }
            }
        }

        try
        {
            await Task.WhenAll(CopyAsync(process.StandardOutput), CopyAsync(process.StandardError));
            await process.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            PodmanCli.Kill(process);
        }
    }
}
