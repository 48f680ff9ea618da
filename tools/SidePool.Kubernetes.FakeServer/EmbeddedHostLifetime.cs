using Microsoft.Extensions.Hosting;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// A host lifetime that ignores process signals: the fake server lives inside someone else's process (a test host),
/// so it must not hook SIGTERM/Ctrl+C the way the default console lifetime does. It stops only when disposed.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
