using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Kubernetes.Runtime.WorkQueues;

namespace SidePool.Operator.Controller;

/// <summary>Maps informer events to the keys of the pools they concern (handlers stay short: they only enqueue).</summary>
public sealed class PoolEventMapper(ClusterView view, IWorkQueue<ObjectKey> queue)
{
    private string? _mode;

    public void Register(SidecarModeSource modes)
    {
        // A pool's spec also decides its neighbours' Conflict condition: enqueue the namespace's pools.
        // The Secrets pools reference are tracked one by one: follow every pool change.
        view.Pools.AddHandler(new ResourceEventHandler<ConnectionPool>(
            p =>
            {
                view.Referenced.Sync(view.Pools.Cache.List());
                queue.Add(ObjectKey.Of(p));
                EnqueueNamespace(p.Metadata.NamespaceProperty);
            },
            (o, n) =>
            {
                // Our own status writes change neither generation nor deletion: skip them.
                if (o.Metadata.Generation != n.Metadata.Generation || o.Metadata.DeletionTimestamp != n.Metadata.DeletionTimestamp || n.Status is null)
                {
                    view.Referenced.Sync(view.Pools.Cache.List());
                    queue.Add(ObjectKey.Of(n));
                    EnqueueNamespace(n.Metadata.NamespaceProperty);
                }
            },
            p =>
            {
                view.Referenced.Sync(view.Pools.Cache.List());
                queue.Add(ObjectKey.Of(p));
                EnqueueNamespace(p.Metadata.NamespaceProperty); // pools that clashed with it
            }));
        view.Secrets.AddHandler(new ResourceEventHandler<Secret>(OnSecret, (_, n) => OnSecret(n), OnSecret));
        view.Referenced.AddHandler(new ResourceEventHandler<Secret>(OnSecret, (_, n) => OnSecret(n), OnSecret));
        view.Pods.AddHandler(new ResourceEventHandler<Pod>(OnPod, (o, n) => { OnPod(o); OnPod(n); }, OnPod));
        foreach (var kind in view.Workloads)
        {
            kind.OnTemplateChange(OnTemplate);
        }

        if (view.Nodes is not null)
        {
            void OnNode(Node _)
            {
                var mode = modes.Current;
                if (Interlocked.Exchange(ref _mode, mode) is { } before && before != mode)
                {
                    foreach (var pool in view.Pools.Cache.List())
                    {
                        queue.Add(ObjectKey.Of(pool));
                    }
                }
            }

            view.Nodes.AddHandler(new ResourceEventHandler<Node>(OnNode, (_, n) => OnNode(n), OnNode));
        }
    }

    private void OnSecret(Secret secret)
    {
        var ns = secret.Metadata?.NamespaceProperty;
        if (ns is null)
        {
            return;
        }

        if (secret.Metadata!.Labels?.GetValueOrDefault(VersionContract.Labels.Pool) is { } owner)
        {
            queue.Add(new ObjectKey(ns, owner));
        }

        foreach (var pool in view.Pools.Cache.ListByNamespace(ns))
        {
            if (CredentialsReader.ReferencedSecrets(pool.Spec).Contains(secret.Metadata.Name))
            {
                queue.Add(ObjectKey.Of(pool));
            }
        }
    }

    private void OnPod(Pod pod)
    {
        var ns = pod.Metadata?.NamespaceProperty;
        if (ns is null)
        {
            return;
        }

        foreach (var pool in view.Pools.Cache.ListByNamespace(ns))
        {
            if (LabelSelectorMatcher.Matches(pool.Spec?.Selector, pod.Metadata!.Labels) || PodObserver.VersionOf(pool.Metadata.Name!, pod) is not null)
            {
                queue.Add(ObjectKey.Of(pool));
            }
        }

        // Pools the pod runs a sidecar of, deleted ones included (their orphaned version Secrets go once unmounted).
        foreach (var pool in VersionContract.Annotations.ParseInjected(pod.Metadata?.Annotations?.GetValueOrDefault(VersionContract.Annotations.Injected)).Keys)
        {
            queue.Add(new ObjectKey(ns, pool));
        }
    }

    private void OnTemplate(ObjectMeta? metadata, PodTemplateSpec? template)
    {
        if (metadata?.NamespaceProperty is not { } ns)
        {
            return;
        }

        foreach (var pool in view.Pools.Cache.ListByNamespace(ns))
        {
            if (LabelSelectorMatcher.Matches(pool.Spec?.Selector, template?.Metadata?.Labels))
            {
                queue.Add(ObjectKey.Of(pool));
            }
        }
    }

    private void EnqueueNamespace(string? ns)
    {
        if (ns is null)
        {
            return;
        }

        foreach (var pool in view.Pools.Cache.ListByNamespace(ns))
        {
            queue.Add(ObjectKey.Of(pool));
        }
    }
}
