using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SidePool.Sandbox.Podman;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// Runs one Pod as a podman pod, the kubelet's pod worker: start-up (<see cref="RunAsync"/>), container supervision and
/// probes, Secret volume refreshes, status (PodWorker.Status.cs) and termination (PodWorker.Termination.cs). State is
/// guarded by one lock; every change marks the status dirty and the status loop writes it.
/// </summary>
internal sealed partial class PodWorker : IAsyncDisposable
{
    private readonly KubeletContext _context;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _life = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly List<ContainerRuntime> _init;
    private readonly List<ContainerRuntime> _apps;
    private readonly List<IDisposable> _exitWatches = [];
    private readonly Dictionary<string, MountSource> _volumes = new(StringComparer.Ordinal);
    private readonly Lock _volumeLock = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private Pod _pod;
    private Task _run = Task.CompletedTask;
    private NetworkNamespace? _network;
    private ProbeExecutor? _prober;

    public PodWorker(KubeletContext context, Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        _context = context;
        _pod = pod;
        Uid = pod.Metadata?.Uid ?? throw new ArgumentException("pod without uid", nameof(pod));
        Namespace = pod.Metadata.NamespaceProperty ?? "default";
        Name = pod.Metadata.Name ?? throw new ArgumentException("pod without name", nameof(pod));
        PodmanPod = PodmanNames.Pod(Namespace, Name, Uid);
        var backoff = () => new CrashBackoff(context.Settings.CrashBackoff, context.Settings.CrashBackoffMax);
        _init = (pod.Spec?.InitContainers ?? [])
            .Select(c => new ContainerRuntime(c, c.RestartPolicy == "Always" ? ContainerKind.Sidecar : ContainerKind.Init, PodmanNames.Container(PodmanPod, c.Name), backoff()))
            .ToList();
        _apps = (pod.Spec?.Containers ?? []).Select(c => new ContainerRuntime(c, ContainerKind.App, PodmanNames.Container(PodmanPod, c.Name), backoff())).ToList();
        foreach (var container in _init.Concat(_apps))
        {
            _exitWatches.Add(context.Events.Watch(container.PodmanName, exit => OnExit(container, exit)));
        }

        foreach (var container in _init.Concat(_apps))
        {
            container.WaitingReason = "ContainerCreating";
        }

        _conditions["PodScheduled"] = ("True", ScheduledAt(pod));
        AllocateAddress();
    }

    public string Uid { get; }

    public string Namespace { get; }

    public string Name { get; }

    public string PodmanPod { get; }

    private Pod Pod
    {
        get
        {
            lock (_lock)
            {
                return _pod;
            }
        }
    }

    private string VolumeRoot => Path.Combine(_context.Settings.StateDirectory, "pods", Uid, "volumes");

    public void Start()
    {
        _run = Task.Run(() => RunAsync(_life.Token), CancellationToken.None);
        _statusLoop = Task.Run(() => StatusLoopAsync(_disposed.Token), CancellationToken.None);
        MarkDirty();
    }

    /// <summary>A newer version of the Pod object: a deletionTimestamp starts (or shortens) graceful termination.</summary>
    public void Update(Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        lock (_lock)
        {
            _pod = pod;
        }

        if (pod.Metadata?.DeletionTimestamp is not null)
        {
            _ = TerminateAsync(pod.Metadata.DeletionGracePeriodSeconds ?? 0, deleteObject: true);
        }
    }

    /// <summary>The container named <paramref name="name"/>, if the pod has it.</summary>
    public ContainerRuntime? Find(string name) => _init.Concat(_apps).FirstOrDefault(c => c.Spec.Name == name);

    /// <summary>A Secret changed: the volumes showing it get the new content (one atomic <c>..data</c> swap each).</summary>
    public void SecretChanged(string @namespace, string name) => Refresh(@namespace, name, v => v.Secret?.SecretName == name || (v.Projected?.Sources ?? []).Any(s => s.Secret?.Name == name), "Secret");

    /// <summary>A ConfigMap changed: as <see cref="SecretChanged"/>.</summary>
    public void ConfigMapChanged(string @namespace, string name) => Refresh(@namespace, name, v => v.ConfigMap?.Name == name || (v.Projected?.Sources ?? []).Any(s => s.ConfigMap?.Name == name), "ConfigMap");

    private void Refresh(string @namespace, string name, Func<Volume, bool> shows, string kind)
    {
        if (@namespace != Namespace)
        {
            return;
        }

        foreach (var volume in (Pod.Spec?.Volumes ?? []).Where(shows))
        {
            try
            {
                lock (_volumeLock)
                {
                    if (_volumes.ContainsKey(volume.Name) && Materialise(volume).Changed)
                    {
                        _context.Logger.LogInformation("pod {Namespace}/{Name}: volume {Volume} updated from {Kind} {Source}", Namespace, Name, volume.Name, kind, name);
                    }
                }
            }
            catch (VolumeNotReadyException error)
            {
                // The kubelet keeps the last content when the object (or a key) goes away.
                _context.Logger.LogWarning("pod {Namespace}/{Name}: volume {Volume} not refreshed: {Error}", Namespace, Name, volume.Name, error.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _life.CancelAsync();
        await _disposed.CancelAsync();
        foreach (var watch in _exitWatches)
        {
            watch.Dispose();
        }

        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _statusLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _prober?.Dispose();
        ReleaseNetwork();
        _network?.Dispose();
        _life.Dispose();
        _disposed.Dispose();
    }

    private void Change(Action change)
    {
        lock (_lock)
        {
            change();
        }

        MarkDirty();
    }

    /// <summary>podman's died event for one of this pod's containers (ignored unless it is the current instance).</summary>
    private void OnExit(ContainerRuntime container, ContainerExit exit)
    {
        lock (_lock)
        {
            if (container.Exit is not { Task.IsCompleted: false } pending || (container.ContainerId is { } id && exit.Id.Length > 0 && !id.StartsWith(exit.Id, StringComparison.Ordinal) && !exit.Id.StartsWith(id, StringComparison.Ordinal)))
            {
                return;
            }

            container.Terminated = new JsonObject
            {
                ["exitCode"] = exit.ExitCode,
                ["reason"] = exit.ExitCode == 0 ? "Completed" : "Error",
                ["startedAt"] = ContainerRuntime.Timestamp(container.RunningSince ?? exit.At),
                ["finishedAt"] = ContainerRuntime.Timestamp(exit.At),
                ["containerID"] = container.ContainerId is { } cid ? "podman://" + cid : null,
            };
            container.RunningSince = null;
            container.Started = false;
            container.Ready = container.Kind == ContainerKind.Init && exit.ExitCode == 0;
            pending.TrySetResult(exit.ExitCode);
        }

        MarkDirty();
    }

    private static DateTimeOffset ScheduledAt(Pod pod) =>
        pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled")?.LastTransitionTime ?? DateTimeOffset.UtcNow;
}
