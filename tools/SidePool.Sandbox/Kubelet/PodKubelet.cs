using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.FakeServer;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Sandbox.Podman;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// The sandbox's kubelet: watches the pods bound to its node through the API (list + watch over HTTPS, field selector
/// <c>spec.nodeName</c>, like a real kubelet) and runs each in a <see cref="PodWorker"/>; watches Secrets (volume refreshes,
/// env) and ConfigMaps; serves container logs; on shutdown terminates every pod gracefully.
/// </summary>
internal sealed class PodKubelet : IAsyncDisposable
{
    private readonly KubernetesClient _client;
    private readonly KubeletSettings _settings;
    private readonly PodmanCli _podman;
    private readonly ILogger _logger;
    private readonly PodmanEvents _events;
    private readonly ConcurrentDictionary<string, PodWorker> _workers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _informerTasks = [];
    private readonly Lock _lock = new();
    private bool _shuttingDown;
    private KubeletContext? _context;

    public PodKubelet(KubernetesClient client, KubeletSettings settings, PodmanCli podman, ILogger logger)
    {
        _client = client;
        _settings = settings;
        _podman = podman;
        _logger = logger;
        _events = new PodmanEvents(podman, settings.StateDirectory, logger);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await PodmanCleanup.RemoveAsync(_podman, _settings.StateDirectory, cancellationToken);
        await _events.StartAsync(cancellationToken);
        var secrets = new Informer<Secret>(_client.Resource(KubernetesResources.Secrets), logger: _logger);
        var configMaps = new Informer<ConfigMap>(_client.Resource(KubernetesResources.ConfigMaps), logger: _logger);
        secrets.AddHandler(new ResourceEventHandler<Secret>(
            onAdd: s => SecretChanged(s),
            onUpdate: (_, s) => SecretChanged(s)));
        configMaps.AddHandler(new ResourceEventHandler<ConfigMap>(
            onAdd: c => ConfigMapChanged(c),
            onUpdate: (_, c) => ConfigMapChanged(c)));
        _informerTasks.Add(Task.Run(() => secrets.RunAsync(_stop.Token), CancellationToken.None));
        _informerTasks.Add(Task.Run(() => configMaps.RunAsync(_stop.Token), CancellationToken.None));
        await secrets.WaitForSyncAsync(cancellationToken);
        await configMaps.WaitForSyncAsync(cancellationToken);
        _context = new KubeletContext(_podman, _events, _client.Resource(KubernetesResources.Pods), new InformerObjectLookup(secrets, configMaps), _settings, _logger, new PodAddressPool(_settings.PodSubnet), RequestTokenAsync);

        var pods = new Informer<Pod>(_client.Resource(KubernetesResources.Pods), new InformerOptions { FieldSelector = $"spec.nodeName={_settings.NodeName}" }, _logger);
        pods.AddHandler(new ResourceEventHandler<Pod>(onAdd: Sync, onUpdate: (_, p) => Sync(p), onDelete: Removed));
        _informerTasks.Add(Task.Run(() => pods.RunAsync(_stop.Token), CancellationToken.None));
        await pods.WaitForSyncAsync(cancellationToken);
    }

    /// <summary>TokenRequest (<c>serviceaccounts/NAME/token</c>) bound to the pod, as the kubelet asks for a projected token.</summary>
    private async Task<string> RequestTokenAsync(string @namespace, string serviceAccount, long expirationSeconds, string? audience, Pod pod, CancellationToken cancellationToken)
    {
        var request = new Authenticationv1TokenRequest
        {
            Spec = new V1TokenRequestSpec
            {
                ExpirationSeconds = expirationSeconds,
                Audiences = audience is { Length: > 0 } ? [audience] : [],
                BoundObjectRef = new V1BoundObjectReference { ApiVersion = "v1", Kind = "Pod", Name = pod.Metadata?.Name, Uid = pod.Metadata?.Uid },
            },
        };
        var answer = await _client.Api.CoreV1.CreateNamespacedServiceAccountTokenAsync(request, serviceAccount, @namespace, cancellationToken: cancellationToken);
        return answer.Status?.Token ?? throw new InvalidOperationException("TokenRequest answered without a token");
    }

    /// <summary>The <c>pods/log</c> source for the API server.</summary>
    public Task StreamLogsAsync(PodLogRequest request, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var worker = _workers.TryGetValue(request.PodUid, out var found) ? found
            : throw new PodLogUnavailableException($"container \"{request.Container}\" in pod \"{request.Pod}\" is waiting to start: ContainerCreating");
        return ContainerLogs.StreamAsync(_podman, worker, request, output, cancellationToken);
    }

    /// <summary>Terminates every pod gracefully (each with its terminationGracePeriodSeconds) and removes its podman objects; the Pod objects stay.</summary>
    public async Task ShutdownAsync()
    {
        lock (_lock)
        {
            _shuttingDown = true;
        }

        await Task.WhenAll(_workers.Values.Select(w => w.TerminateAsync(PodGrace(w), deleteObject: false)));
        await PodmanCleanup.RemoveAsync(_podman, _settings.StateDirectory, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_informerTasks).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var worker in _workers.Values)
        {
            await worker.DisposeAsync();
        }

        await _events.DisposeAsync();
        _stop.Dispose();
    }

    private long PodGrace(PodWorker worker) => _lastSeen.TryGetValue(worker.Uid, out var pod) ? pod.Spec?.TerminationGracePeriodSeconds ?? 30 : 30;

    private readonly ConcurrentDictionary<string, Pod> _lastSeen = new(StringComparer.Ordinal);

    private void Sync(Pod pod)
    {
        var uid = pod.Metadata?.Uid;
        if (uid is null || _context is null)
        {
            return;
        }

        _lastSeen[uid] = pod;
        if (_workers.TryGetValue(uid, out var existing))
        {
            existing.Update(pod);
            return;
        }

        if (pod.Metadata!.DeletionTimestamp is not null || pod.Status?.Phase is "Succeeded" or "Failed")
        {
            if (pod.Metadata.DeletionTimestamp is not null)
            {
                // Never ran here (or ran before a restart of the sandbox): nothing to stop.
                _ = DeleteAsync(pod);
            }

            return;
        }

        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }

            var worker = new PodWorker(_context, pod);
            if (_workers.TryAdd(uid, worker))
            {
                _logger.LogInformation("pod {Namespace}/{Name}: starting", pod.Metadata.NamespaceProperty, pod.Metadata.Name);
                worker.Start();
                _ = ForgetWhenTerminatedAsync(worker);
            }
        }
    }

    /// <summary>The Pod object is gone (deleted with grace 0 by someone else): stop its containers at once.</summary>
    private void Removed(Pod pod)
    {
        if (pod.Metadata?.Uid is { } uid && _workers.TryGetValue(uid, out var worker))
        {
            _ = worker.TerminateAsync(2, deleteObject: false);
        }
    }

    private async Task ForgetWhenTerminatedAsync(PodWorker worker)
    {
        await worker.Terminated;
        if (!_shuttingDown && _workers.TryRemove(worker.Uid, out _))
        {
            _lastSeen.TryRemove(worker.Uid, out _);
            await worker.DisposeAsync();
        }
    }

    private async Task DeleteAsync(Pod pod)
    {
        try
        {
            await _client.Resource(KubernetesResources.Pods).DeleteAsync(pod.Metadata!.Name!, pod.Metadata.NamespaceProperty, new DeleteOptions { GracePeriodSeconds = 0, Preconditions = new Preconditions { Uid = pod.Metadata.Uid } });
        }
        catch (KubernetesApiException)
        {
        }
    }

    private void ConfigMapChanged(ConfigMap configMap)
    {
        if (configMap.Metadata is { Name: { } name } metadata)
        {
            foreach (var worker in _workers.Values)
            {
                worker.ConfigMapChanged(metadata.NamespaceProperty ?? "default", name);
            }
        }
    }

    private void SecretChanged(Secret secret)
    {
        if (secret.Metadata is { Name: { } name } metadata)
        {
            foreach (var worker in _workers.Values)
            {
                worker.SecretChanged(metadata.NamespaceProperty ?? "default", name);
            }
        }
    }
}
