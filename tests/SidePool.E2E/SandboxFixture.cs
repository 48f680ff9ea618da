using System.Collections.Concurrent;
using SidePool.Demo.Cluster;
using Xunit;

namespace SidePool.E2E;

/// <summary>
/// One sandbox cluster for the end-to-end scenarios (PostgreSQL, <c>sidepool-sandbox</c> with its podman kubelet, the
/// CRD, the operator as a host process): starting one takes seconds, so the scenarios share it, each in its own
/// namespace with its own database, and run one after another (one collection).
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _log = new();
    private SandboxCluster? _cluster;

    internal SandboxCluster Cluster => _cluster ?? throw new InvalidOperationException("the sandbox did not start");

    /// <summary>What the cluster session logged (start-up, operator restarts), for a failing test's output.</summary>
    public IReadOnlyCollection<string> Log => _log;

    public async Task InitializeAsync() =>
        _cluster = await SandboxCluster.StartAsync(_log.Enqueue, CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_cluster is { } cluster)
        {
            await cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox";
}
