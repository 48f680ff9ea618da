using System.Globalization;
using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Errors;
using SidePool.Sandbox.Podman;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// Graceful termination, in Kubernetes' order: no more starts or restarts; the preStop hooks of every running container
/// (app containers and sidecars at the same moment); each app container gets SIGTERM when its hook is done; once every app
/// container exited, the native sidecars get SIGTERM one by one in reverse order; one grace period covers everything and
/// whatever still runs at its end gets SIGKILL (<c>podman stop --time &lt;remaining&gt;</c>). Then the podman pod and the
/// volumes are removed and the Pod object is deleted with gracePeriodSeconds=0 (uid precondition), as the kubelet does.
/// </summary>
internal sealed partial class PodWorker
{
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _termination;
    private DateTimeOffset _deadline;

    /// <summary>Completes when the pod's containers are gone (and the Pod object deleted, when asked).</summary>
    public Task Terminated => _terminated.Task;

    /// <summary>Starts termination with <paramref name="graceSeconds"/> (a shorter grace period later moves the deadline closer).</summary>
    public Task TerminateAsync(long graceSeconds, bool deleteObject)
    {
        lock (_lock)
        {
            var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(Math.Max(0, graceSeconds));
            if (_termination is not null)
            {
                if (deadline < _deadline)
                {
                    _deadline = deadline;
                }

                return _termination;
            }

            _deadline = deadline;
            _terminating = true;
            _termination = Task.Run(() => TerminateCoreAsync(deleteObject));
            return _termination;
        }
    }

    private async Task TerminateCoreAsync(bool deleteObject)
    {
        try
        {
            _context.Logger.LogInformation("pod {Namespace}/{Name}: terminating (grace {Grace:0.#} s)", Namespace, Name, (_deadline - DateTimeOffset.UtcNow).TotalSeconds);
            await _life.CancelAsync();
            await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            MarkDirty();

            var running = _init.Concat(_apps).Where(c => c.Running || c.Exit is { Task.IsCompleted: false }).ToList();
            var preStops = running.ToDictionary(c => c, RunPreStopAsync);
            var first = _apps.Concat(_init.Where(c => c.Kind == ContainerKind.Init)).Where(running.Contains);
            await Task.WhenAll(first.Select(async c =>
            {
                await preStops[c];
                await StopAsync(c);
            }));
            foreach (var sidecar in Enumerable.Reverse(_init).Where(c => c.Kind == ContainerKind.Sidecar && running.Contains(c)))
            {
                await preStops[sidecar];
                await StopAsync(sidecar);
            }

            await _context.Podman.RunAsync(["stop", "--ignore", "--time", "0", PodmanNames.Container(PodmanPod, SandboxLabels.ForwarderContainer)]);
            await _context.Podman.RunAsync(["pod", "rm", "--force", "--ignore", PodmanPod]);
            await _context.Podman.RunAsync(["rm", "--force", "--ignore", .. _init.Concat(_apps).Select(c => c.PreviousPodmanName)]);
            await FlushStatusAsync();
            ReleaseNetwork();
            DeleteVolumes();
            if (deleteObject)
            {
                await DeleteObjectAsync();
            }

            _context.Logger.LogInformation("pod {Namespace}/{Name}: terminated", Namespace, Name);
        }
        catch (Exception error)
        {
            _context.Logger.LogError(error, "pod {Namespace}/{Name}: termination failed", Namespace, Name);
        }
        finally
        {
            _terminated.TrySetResult();
        }
    }

    private TimeSpan Remaining => _deadline - DateTimeOffset.UtcNow;

    /// <summary>SIGTERM, then SIGKILL at the deadline; returns when the container exited.</summary>
    private async Task StopAsync(ContainerRuntime container)
    {
        var seconds = Math.Max(0, (long)Math.Ceiling(Remaining.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await _context.Podman.RunAsync(["stop", "--ignore", "--time", seconds, container.PodmanName]);
        await CompleteExitAsync(container);
    }

    /// <summary>When podman's died event has not been seen yet, takes the exit code from <c>podman inspect</c>.</summary>
    private async Task CompleteExitAsync(ContainerRuntime container)
    {
        if (container.Exit is not { Task.IsCompleted: false } pending)
        {
            return;
        }

        if (await Task.WhenAny(pending.Task, Task.Delay(TimeSpan.FromSeconds(1))) == pending.Task)
        {
            return;
        }

        var inspect = await _context.Podman.RunAsync(["inspect", "--format", "{{.State.ExitCode}} {{.State.Running}}", container.PodmanName]);
        var parts = inspect.StandardOutput.Trim().Split(' ');
        if (inspect.Succeeded && parts.Length == 2 && parts[1] == "false" && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var code))
        {
            OnExit(container, new ContainerExit(string.Empty, container.PodmanName, code, DateTimeOffset.UtcNow));
        }
        else if (!inspect.Succeeded)
        {
            OnExit(container, new ContainerExit(string.Empty, container.PodmanName, 137, DateTimeOffset.UtcNow));
        }
    }

    /// <summary>The container's preStop hook (exec, httpGet or sleep), bounded by the grace period; a failing hook does not stop termination.</summary>
    private async Task RunPreStopAsync(ContainerRuntime container)
    {
        if (container.Spec.Lifecycle?.PreStop is not { } hook)
        {
            return;
        }

        using var limit = new CancellationTokenSource(Remaining > TimeSpan.Zero ? Remaining : TimeSpan.Zero);
        try
        {
            if (hook.Sleep is { } sleep)
            {
                await Task.Delay(TimeSpan.FromSeconds(sleep.Seconds), limit.Token);
                return;
            }

            var ok = _prober is not null && await _prober.RunAsync(hook.HttpGet, null, hook.Exec, container.Spec, container.PodmanName, Remaining, limit.Token, "kube-lifecycle/1.35");
            if (!ok)
            {
                _context.Logger.LogWarning("pod {Namespace}/{Name}: PreStop hook of {Container} failed", Namespace, Name, container.Spec.Name);
            }
        }
        catch (OperationCanceledException)
        {
            _context.Logger.LogWarning("pod {Namespace}/{Name}: PreStop hook of {Container} did not finish within the grace period", Namespace, Name, container.Spec.Name);
        }
    }

    private void DeleteVolumes()
    {
        try
        {
            var root = Path.Combine(_context.Settings.StateDirectory, "pods", Uid);
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
        catch (IOException error)
        {
            _context.Logger.LogWarning("pod {Namespace}/{Name}: volumes not removed: {Error}", Namespace, Name, error.Message);
        }
    }

    private async Task DeleteObjectAsync()
    {
        try
        {
            await _context.Pods.DeleteAsync(Name, Namespace, new DeleteOptions { GracePeriodSeconds = 0, Preconditions = new Preconditions { Uid = Uid } });
        }
        catch (KubernetesApiException error) when (error.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Conflict)
        {
        }
    }
}
