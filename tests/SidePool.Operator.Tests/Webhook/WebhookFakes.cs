using System.Collections.Concurrent;
using SidePool.Api;
using SidePool.Core;
using SidePool.Operator.Certificates;
using SidePool.Operator.Webhook;

namespace SidePool.Operator.Tests.Webhook;

internal sealed class FakePoolSource : IPoolSource
{
    public List<PoolCandidate> Pools { get; } = [];

    public Exception? Failure { get; set; }

    /// <summary>Pod annotations of the last request (the webhook passes them for the stamp-named version).</summary>
    public IDictionary<string, string>? LastAnnotations { get; private set; }

    public ValueTask<IReadOnlyList<PoolCandidate>> GetPoolsAsync(string @namespace, IDictionary<string, string>? podAnnotations, CancellationToken cancellationToken)
    {
        LastAnnotations = podAnnotations;
        if (Failure is not null)
        {
            throw Failure;
        }

        return ValueTask.FromResult<IReadOnlyList<PoolCandidate>>([.. Pools.Where(p => p.Pool.Metadata.NamespaceProperty == @namespace)]);
    }
}

internal sealed class FakeEventRecorder : IAdmissionEventRecorder
{
    public ConcurrentQueue<AdmissionEvent> Events { get; } = new();

    public ValueTask RecordAsync(AdmissionEvent admissionEvent, CancellationToken cancellationToken)
    {
        Events.Enqueue(admissionEvent);
        return ValueTask.CompletedTask;
    }
}

internal sealed class MemoryCertificateStore : ICertificateStore
{
    private readonly Lock _lock = new();
    private StoredCertificates? _stored;
    private int _version;

    public int Writes { get; private set; }

    public Task<StoredCertificates?> ReadAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_stored);
        }
    }

    public Task<bool> WriteAsync(IReadOnlyDictionary<string, byte[]> data, string? resourceVersion, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (resourceVersion != _stored?.ResourceVersion)
            {
                return Task.FromResult(false);
            }

            Writes++;
            _stored = new StoredCertificates(data, (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return Task.FromResult(true);
        }
    }
}

/// <summary>A clock the test moves.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

internal static class WebhookPools
{
    public const string Password = "webhook-Pa55word";
    public const string ClientPassword = "webhook-client-password_0123456789abcdefgh";

    public static PoolCandidate Candidate(string name, string ns = "shop", int port = 6432, string clientAuth = "trust", DateTimeOffset? created = null, bool deleting = false)
    {
        var spec = new ConnectionPoolSpec
        {
            Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "orders" } },
            Backend = new BackendSpec
            {
                Host = "orders-db.shop.svc",
                Database = "orders",
                CredentialsSecret = new CredentialsSecretRef { Name = "orders-db-app" },
            },
            Sidecar = new SidecarSpec { Port = port, ClientAuth = clientAuth },
        };
        var rendered = PoolVersionBuilder.Build(name, spec, new PoolCredentials("orders_app", Password), new ClientCredentials("orders_app", ClientPassword), new PoolKey(new byte[32]), new InjectionOptions(), SidecarModes.Native);
        var pool = new ConnectionPool
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                CreationTimestamp = (created ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)).UtcDateTime,
                DeletionTimestamp = deleting ? DateTimeOffset.UnixEpoch.UtcDateTime : null,
            },
            Spec = spec,
        };
        return new PoolCandidate(pool, rendered);
    }

    public static string Review(string uid, string? pod = null, string operation = "CREATE", bool dryRun = false, string ns = "shop", string resource = "pods") => $$"""
        {
          "apiVersion": "admission.k8s.io/v1",
          "kind": "AdmissionReview",
          "request": {
            "uid": "{{uid}}",
            "kind": { "group": "", "version": "v1", "kind": "Pod" },
            "resource": { "group": "", "version": "v1", "resource": "{{resource}}" },
            "requestKind": { "group": "", "version": "v1", "kind": "Pod" },
            "requestResource": { "group": "", "version": "v1", "resource": "pods" },
            "namespace": "{{ns}}",
            "operation": "{{operation}}",
            "userInfo": { "username": "system:serviceaccount:kube-system:replicaset-controller" },
            "object": {{pod ?? Pod()}},
            "oldObject": null,
            "dryRun": {{(dryRun ? "true" : "false")}},
            "options": { "apiVersion": "meta.k8s.io/v1", "kind": "CreateOptions" }
          }
        }
        """;

    public static string Pod(string extraSpec = "") => $$"""
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": { "generateName": "orders-7d9f-", "namespace": "shop", "labels": { "app": "orders" } },
          "spec": {
            {{extraSpec}}
            "containers": [ { "name": "web", "image": "shop/web:1" } ]
          }
        }
        """;
}
