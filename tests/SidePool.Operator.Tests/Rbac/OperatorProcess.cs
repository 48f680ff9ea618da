using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Operator.Hosting;
using SidePool.Testing;

namespace SidePool.Operator.Tests.Rbac;

/// <summary>The operator host, started and stopped by the scenario (a restart is a new replica with a new identity).</summary>
internal sealed class OperatorProcess(OperatorOptions options, IKubernetesClient client, CapturedLogs logs)
{
    private Microsoft.AspNetCore.Builder.WebApplication? _host;

    public async Task StartAsync(string identity)
    {
        _host = OperatorHost.Build(options with { Identity = identity, MetricsPort = FreePort.Next() }, client, l => { l.ClearProviders(); l.AddProvider(logs); });
        await _host.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_host is { } host)
        {
            _host = null;
            await host.StopAsync();
            await host.DisposeAsync();
        }
    }
}
