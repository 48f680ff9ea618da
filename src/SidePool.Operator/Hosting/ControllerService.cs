using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Models;
using SidePool.Kubernetes.Runtime.LeaderElection;
using SidePool.Operator.Controller;
using SidePool.Operator.Telemetry;

namespace SidePool.Operator.Hosting;

/// <summary>
/// Runs the ConnectionPool controller while this replica holds the Lease (or always, without leader election).
/// A lost term ends the controller (its token is cancelled) and the replica campaigns again.
/// </summary>
public sealed class ControllerService(
    IKubernetesClient client,
    OperatorOptions options,
    PoolController controller,
    OperatorMetrics metrics,
    ILogger<ControllerService> logger,
    CaBundleKeeper? caBundle = null) : BackgroundService
{
    private LeaderElector? _elector;

    public bool IsLeader => !options.LeaderElection || (_elector?.IsLeader ?? false);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObserveLeader(() => IsLeader);
        if (!options.LeaderElection)
        {
            await Task.WhenAll(controller.RunAsync(stoppingToken), caBundle?.RunAsync(stoppingToken) ?? Task.CompletedTask);
            return;
        }

        _elector = new LeaderElector(
            client.Resource(KubernetesResources.Leases),
            new LeaderElectionOptions
            {
                LeaseName = options.LeaseName,
                Namespace = options.LeaseNamespace ?? options.OperatorNamespace ?? client.DefaultNamespace,
                Identity = options.Identity,
            },
            logger: logger);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _elector.RunAsync(
                    async term =>
                    {
                        logger.LogInformation("{Identity} leads: reconciling pools.", options.Identity);
                        await Task.WhenAll(controller.RunAsync(term), caBundle?.RunAsync(term) ?? Task.CompletedTask);
                    },
                    stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed term is retried: the replica campaigns again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "Leadership term ended with an error; campaigning again.");
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
