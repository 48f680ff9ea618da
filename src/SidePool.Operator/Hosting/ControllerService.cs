using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Runtime.LeaderElection;
using SidePool.Operator.Controller;
using SidePool.Operator.Telemetry;

namespace SidePool.Operator.Hosting;

/// <summary>
/// Runs the ConnectionPool controller while this replica holds the Lease (or always, without leader election).
/// A lost term ends the controller (its token is cancelled) and the replica campaigns again; a term that took its own
/// untouched lease back continues the previous one (the live budget keeps what its agents acknowledged). A term whose caches cannot
/// sync (an informer refused with 403, 401 or 404) ends at once and gives the Lease up; the replica then reports the
/// problem once (log, <see cref="SyncHealth"/> for the probes) and, instead of campaigning, checks that one request
/// every <see cref="OperatorOptions.NotSyncingRecheck"/> (doubling up to 8 times that) until it works.
/// </summary>
public sealed class ControllerService(
    IKubernetesClient client,
    OperatorOptions options,
    PoolController controller,
    OperatorMetrics metrics,
    SyncHealth health,
    ILogger<ControllerService> logger,
    CaBundleKeeper? caBundle = null) : BackgroundService
{
    private LeaderElector? _elector;

    public bool IsLeader => !options.LeaderElection || (_elector?.IsLeader ?? false);

    private string LeaseNamespace => options.LeaseNamespace ?? options.OperatorNamespace ?? client.DefaultNamespace;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObserveLeader(() => IsLeader);
        if (options.LeaderElection)
        {
            _elector = new LeaderElector(
                client.Resource(KubernetesResources.Leases),
                new LeaderElectionOptions { LeaseName = options.LeaseName, Namespace = LeaseNamespace, Identity = options.Identity },
                logger: logger);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (health.Problem is { } problem)
                {
                    await RecheckAsync(problem, stoppingToken);
                }
                else if (_elector is null)
                {
                    await RunTermAsync(stoppingToken);
                }
                else
                {
                    await _elector.RunAsync(RunTermAsync, stoppingToken);
                }
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

    /// <summary>One term: the controller (and the caBundle upkeep) until the term's token ends or the caches cannot sync.</summary>
    private async Task RunTermAsync(CancellationToken term)
    {
        if (_elector is not null)
        {
            logger.LogInformation("{Identity} leads: reconciling pools.", options.Identity);
        }

        using var work = CancellationTokenSource.CreateLinkedTokenSource(term);
        var keeper = caBundle?.RunAsync(work.Token) ?? Task.CompletedTask;
        try
        {
            // Without leader election this replica is the only operator: its terms always continue each other.
            await controller.RunAsync(_elector?.ContinuesOwnTerm ?? true, work.Token);
        }
        catch (ControllerNotSyncingException problem)
        {
            // Returning ends the term: the elector releases the Lease at once.
            if (health.Report(problem))
            {
                logger.LogError(
                    "Not syncing: {Reason}. {Lease}Not leading until the request works: checking it again in {Recheck} s, then up to every {MaxRecheck} s. API server: {Answer}",
                    problem.Error?.Summary ?? problem.Message,
                    _elector is null ? string.Empty : $"Releasing Lease {LeaseNamespace}/{options.LeaseName} so that another replica can try. ",
                    Seconds(options.NotSyncingRecheck),
                    Seconds(options.NotSyncingRecheck * 8),
                    problem.Error?.Error.Status?.Message ?? problem.InnerException?.Message);
            }
        }
        finally
        {
            await work.CancelAsync();
            try
            {
                await keeper;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits, with a doubling pause, until the request that failed works; then the replica may lead again.</summary>
    private async Task RecheckAsync(ControllerNotSyncingException problem, CancellationToken cancellationToken)
    {
        var pause = options.NotSyncingRecheck;
        while (true)
        {
            await Task.Delay(pause, cancellationToken);
            try
            {
                await problem.ProbeAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is KubernetesApiException or HttpRequestException or IOException)
            {
                logger.LogDebug("Still {Reason} ({Message}).", problem.Message, ex.Message);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, options.NotSyncingRecheck.Ticks * 8));
                continue;
            }

            health.Clear();
            logger.LogInformation(
                "Syncing can resume: {Request} works again; {Next}.",
                problem.Error is { } error ? $"{error.Verb} {error.Resource.Plural}" : "the failed request",
                _elector is null ? "restarting the controller" : "campaigning for the Lease");
            return;
        }
    }
}
