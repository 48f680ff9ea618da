
namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// The probes of one running container instance, with Kubernetes' semantics and defaults (initialDelaySeconds 0,
/// periodSeconds 10, timeoutSeconds 1, successThreshold 1, failureThreshold 3): the startup probe runs first and, until it
/// passes, nothing else does (failureThreshold failures kill the container); then readiness (the container is not ready
/// until it passes; without a probe it is ready once started) and liveness (failureThreshold consecutive failures kill the
/// container, which is then restarted by its restart policy).
/// </summary>
internal sealed class ContainerProber(ProbeExecutor executor, ContainerRuntime container, Action<Action> update, Func<string, Task> kill)
{
    public async Task RunAsync(DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var spec = container.Spec;
        if (spec.StartupProbe is { } startup && !await StartupAsync(startup, startedAt, cancellationToken))
        {
            return;
        }

        update(() =>
        {
            container.Started = true;
            container.StartedSignal.TrySetResult();
            if (spec.ReadinessProbe is null)
            {
                container.Ready = true;
            }
        });
        var readiness = spec.ReadinessProbe is { } ready ? ReadinessAsync(ready, startedAt, cancellationToken) : Task.CompletedTask;
        var liveness = spec.LivenessProbe is { } live ? LivenessAsync(live, startedAt, cancellationToken) : Task.CompletedTask;
        await Task.WhenAll(readiness, liveness);
    }

    private async Task<bool> StartupAsync(Probe probe, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        await InitialDelayAsync(probe, startedAt, cancellationToken);
        var failures = 0;
        while (true)
        {
            if (await ProbeAsync(probe, cancellationToken))
            {
                return true;
            }

            if (++failures >= Threshold(probe.FailureThreshold, 3))
            {
                await kill($"Container {Spec.Name} failed startup probe, will be restarted");
                return false;
            }

            await Task.Delay(Period(probe), cancellationToken);
        }
    }

    private async Task ReadinessAsync(Probe probe, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        await InitialDelayAsync(probe, startedAt, cancellationToken);
        int successes = 0, failures = 0;
        while (true)
        {
            if (await ProbeAsync(probe, cancellationToken))
            {
                failures = 0;
                if (++successes >= Threshold(probe.SuccessThreshold, 1))
                {
                    update(() => container.Ready = true);
                }
            }
            else
            {
                successes = 0;
                if (++failures >= Threshold(probe.FailureThreshold, 3))
                {
                    update(() => container.Ready = false);
                }
            }

            await Task.Delay(Period(probe), cancellationToken);
        }
    }

    private async Task LivenessAsync(Probe probe, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        await InitialDelayAsync(probe, startedAt, cancellationToken);
        var failures = 0;
        while (true)
        {
            if (await ProbeAsync(probe, cancellationToken))
            {
                failures = 0;
            }
            else if (++failures >= Threshold(probe.FailureThreshold, 3))
            {
                await kill($"Container {Spec.Name} failed liveness probe, will be restarted");
                return;
            }

            await Task.Delay(Period(probe), cancellationToken);
        }
    }

    private Container Spec => container.Spec;

    private Task<bool> ProbeAsync(Probe probe, CancellationToken cancellationToken) =>
        executor.RunAsync(probe.HttpGet, probe.TcpSocket, probe.Exec, container.Spec, container.PodmanName, TimeSpan.FromSeconds(Threshold(probe.TimeoutSeconds, 1)), cancellationToken);

    private static Task InitialDelayAsync(Probe probe, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var wait = startedAt + TimeSpan.FromSeconds(probe.InitialDelaySeconds ?? 0) - DateTimeOffset.UtcNow;
        return wait > TimeSpan.Zero ? Task.Delay(wait, cancellationToken) : Task.CompletedTask;
    }

    private static TimeSpan Period(Probe probe) => TimeSpan.FromSeconds(Threshold(probe.PeriodSeconds, 10));

    private static int Threshold(int? value, int fallback) => value is > 0 ? value.Value : fallback;
}
