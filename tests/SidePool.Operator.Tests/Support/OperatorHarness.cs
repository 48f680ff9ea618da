using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Crd;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.FakeServer;
using SidePool.Operator.Controller;
using SidePool.Operator.Telemetry;

namespace SidePool.Operator.Tests.Support;

/// <summary>A fake API server with the ConnectionPool CRD, a client, and the pool controller running against it.</summary>
public sealed class OperatorHarness : IAsyncDisposable
{
    private CancellationTokenSource? _stop;
    private Task? _run;

    private OperatorHarness(FakeApiServer server, PoolControllerOptions settings)
    {
        Server = server;
        Settings = settings;
        Client = KubernetesClient.ForServer(server.BaseAddress, "default", new KubernetesClientOptions { RequestTimeout = TimeSpan.FromSeconds(20) });
    }

    public FakeApiServer Server { get; }

    public KubernetesClient Client { get; }

    public PoolControllerOptions Settings { get; }

    public OperatorMetrics Metrics { get; } = new();

    public PoolController? Controller { get; private set; }

    public IResourceClient<ConnectionPool> Pools => Client.Resource(ConnectionPoolResource.Type);

    public IResourceClient<Secret> Secrets => Client.Resource(KubernetesResources.Secrets);

    public IResourceClient<Pod> Pods => Client.Resource(KubernetesResources.Pods);

    public IResourceClient<Deployment> Deployments => Client.Resource(KubernetesResources.Deployments);

    public static async Task<OperatorHarness> StartAsync(PoolControllerOptions? settings = null, bool startController = true, FakeApiServerOptions? options = null)
    {
        var server = await FakeApiServer.StartAsync(options);
        var harness = new OperatorHarness(server, settings ?? new PoolControllerOptions
        {
            SidecarMode = "native",
            RecheckInterval = TimeSpan.FromMilliseconds(500),
            Identity = "test",
        });
        await harness.RegisterCrdAsync();
        if (startController)
        {
            harness.StartController();
        }

        return harness;
    }

    private Task RegisterCrdAsync() => RegisterCrdAsync(Server);

    /// <summary>Creates the CRD the way kubectl would: POST of <see cref="CrdBuilder.Build"/>.</summary>
    public static async Task RegisterCrdAsync(FakeApiServer server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var content = new StringContent(CrdBuilder.Build().ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(new Uri("apis/apiextensions.k8s.io/v1/customresourcedefinitions", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Starts a term of the controller: a new controller, or, with <paramref name="continuesPreviousTerm"/> set, the same
    /// one again as after this replica took its own untouched lease back (it keeps what its budget step learned).
    /// </summary>
    public void StartController(bool? continuesPreviousTerm = null)
    {
        _stop = new CancellationTokenSource();
        if (continuesPreviousTerm is null || Controller is null)
        {
            Controller = new PoolController(Client, Settings, Metrics, TimeProvider.System, NullLoggerFactory.Instance);
        }

        var controller = Controller;
        var continues = continuesPreviousTerm ?? false;
        _run = Task.Run(() => controller.RunAsync(continues, _stop.Token));
    }

    public async Task StopControllerAsync()
    {
        if (_stop is null || _run is null)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _stop = null;
        _run = null;
    }

    public async Task CreateNamespaceAsync(string name) =>
        await Client.Resource(KubernetesResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });

    public async Task CreateCredentialsAsync(string ns, string name, string user, string password) =>
        await Secrets.CreateAsync(new Secret
        {
            Metadata = new ObjectMeta { Name = name, NamespaceProperty = ns },
            Data = new Dictionary<string, byte[]> { ["username"] = Encoding.UTF8.GetBytes(user), ["password"] = Encoding.UTF8.GetBytes(password) },
        });

    public async Task SetPasswordAsync(string ns, string name, string password) =>
        await Secrets.PatchAsync(name, ns, KubernetesPatch.Merge(new JsonObject { ["data"] = new JsonObject { ["password"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(password)) } }));

    public static ConnectionPool Pool(string ns, string name, string app, Action<ConnectionPoolSpec>? change = null)
    {
        var spec = new ConnectionPoolSpec
        {
            Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
            Backend = new BackendSpec { Host = "db.example", Database = "orders", CredentialsSecret = new CredentialsSecretRef { Name = name + "-creds" } },
        };
        change?.Invoke(spec);
        return new ConnectionPool { Metadata = new ObjectMeta { Name = name, NamespaceProperty = ns }, Spec = spec };
    }

    public async Task<ConnectionPool> PatchPoolAsync(string ns, string name, JsonObject spec) =>
        await Pools.PatchAsync(name, ns, KubernetesPatch.Merge(new JsonObject { ["spec"] = spec }));

    /// <summary>A Deployment and its ReplicaSet (the fake server runs no controllers).</summary>
    public async Task<(Deployment Deployment, ReplicaSet ReplicaSet)> CreateDeploymentAsync(string ns, string name, string app)
    {
        var template = new PodTemplateSpec
        {
            Metadata = new ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
            Spec = new PodSpec { Containers = [new Container { Name = "app", Image = "example/app:1" }] },
        };
        var deployment = await Deployments.CreateAsync(new Deployment
        {
            Metadata = new ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new DeploymentSpec { Replicas = 2, Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } }, Template = template },
        });
        var replicaSet = await CreateReplicaSetAsync(deployment, "1");
        return (deployment, replicaSet);
    }

    public async Task<ReplicaSet> CreateReplicaSetAsync(Deployment deployment, string suffix) =>
        await Client.Resource(KubernetesResources.ReplicaSets).CreateAsync(new ReplicaSet
        {
            Metadata = new ObjectMeta
            {
                Name = $"{deployment.Metadata!.Name}-{suffix}",
                NamespaceProperty = deployment.Metadata.NamespaceProperty,
                OwnerReferences = [new OwnerReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = deployment.Metadata.Name!, Uid = deployment.Metadata.Uid!, Controller = true }],
            },
            Spec = new ReplicaSetSpec { Selector = deployment.Spec!.Selector, Template = deployment.Spec.Template },
        });

    /// <summary>A pod as the webhook would have admitted it: the version Secret mounted, stamps, the sidecar; ready unless told.</summary>
    public async Task<Pod> CreatePodAsync(string ns, string name, string app, IKubernetesObject<V1ObjectMeta>? owner, string? pool, string? version, bool ready = true, ContainerStateWaiting? sidecarWaiting = null, bool withStatus = true, bool sidecarStarted = true)
    {
        var labels = new Dictionary<string, string> { ["app"] = app };
        var annotations = new Dictionary<string, string>();
        List<Volume> volumes = [];
        List<Container> init = [];
        if (pool is not null && version is not null)
        {
            labels["pools.sidepool.dev/" + pool] = version;
            annotations["sidepool.dev/injected"] = $"{pool}={version}";
            volumes.Add(new Volume { Name = $"sidepool-{pool}-config", Secret = new SecretVolumeSource { SecretName = VersionContract.Secrets.Version(pool, version) } });
            init.Add(new Container { Name = "sidepool-" + pool, Image = "ghcr.io/sidepool/sidecar:0.1.0", RestartPolicy = "Always" });
        }

        var desired = new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Labels = labels,
                Annotations = annotations,
                OwnerReferences = owner is null ? null : [new OwnerReference { ApiVersion = owner.ApiVersion!, Kind = owner.Kind!, Name = owner.Metadata!.Name!, Uid = owner.Metadata.Uid!, Controller = true }],
            },
            Spec = new PodSpec { InitContainers = init, Containers = [new Container { Name = "app", Image = "example/app:1" }], Volumes = volumes },
        };
        Pod pod;
        try
        {
            pod = await Pods.CreateAsync(desired);
        }
        catch (KubernetesAlreadyExistsException)
        {
            pod = await Pods.GetAsync(name, ns); // a retry after an injected fault
        }

        if (!withStatus)
        {
            return pod;
        }

        return await EventuallyAsync(() => SetPodStatusAsync(pod, ready, pool is null ? null : "sidepool-" + pool, sidecarWaiting, sidecarStarted), _ => true, what: "pod status");
    }

    /// <summary>
    /// Sets the pod Running with its sidecar running (or waiting), <c>started</c> as a kubelet reports it: true once the
    /// startup probe passed (<paramref name="sidecarStarted"/>).
    /// </summary>
    public async Task<Pod> SetPodStatusAsync(Pod pod, bool ready, string? sidecar, ContainerStateWaiting? sidecarWaiting = null, bool sidecarStarted = true)
    {
        var status = new JsonObject
        {
            ["phase"] = "Running",
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = ready ? "True" : "False" }),
        };
        if (sidecar is not null)
        {
            var state = sidecarWaiting is null
                ? new JsonObject { ["running"] = new JsonObject() }
                : new JsonObject { ["waiting"] = new JsonObject { ["reason"] = sidecarWaiting.Reason, ["message"] = sidecarWaiting.Message } };
            status["initContainerStatuses"] = new JsonArray(new JsonObject { ["name"] = sidecar, ["ready"] = ready && sidecarWaiting is null && sidecarStarted, ["started"] = sidecarWaiting is null && sidecarStarted, ["restartCount"] = 0, ["image"] = "x", ["imageID"] = "", ["state"] = state });
        }

        return await Pods.PatchStatusAsync(pod.Metadata!.Name!, pod.Metadata.NamespaceProperty, KubernetesPatch.Merge(new JsonObject { ["status"] = status }));
    }

    /// <summary>Polls until <paramref name="read"/> gives a value <paramref name="done"/> accepts.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? timeout = null, string? what = null, Func<Task>? onEach = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        T last = default!;
        while (true)
        {
            try
            {
                if (onEach is not null)
                {
                    await onEach();
                }

                last = await read();
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception ex) when (ex is KubernetesServerErrorException or KubernetesTransportException or KubernetesConflictException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"condition not reached: {what ?? typeof(T).Name}; last value: {Describe(last)}");
            }

            await Task.Delay(50);
        }
    }

    public Task<ConnectionPool> PoolWhenAsync(string ns, string name, Func<ConnectionPool, bool> done, string what, TimeSpan? timeout = null) =>
        EventuallyAsync(() => Pools.GetAsync(name, ns), done, timeout, what);

    public async Task<List<Secret>> PoolSecretsAsync(string ns, string pool) =>
        await Secrets.ListAllAsync(ns, new ListOptions { LabelSelector = $"{VersionContract.Labels.Pool}={pool}" }).ToListAsync();

    public async Task<List<Event>> EventsAsync(string ns) =>
        await Client.Resource(KubernetesResources.Events).ListAllAsync(ns).ToListAsync();

    private static string Describe<T>(T value) => value switch
    {
        ConnectionPool pool => System.Text.Json.JsonSerializer.Serialize(pool.Status, ApiJsonContext.Default.ConnectionPoolStatus!),
        null => "null",
        _ => value.ToString() ?? "",
    };

    public async ValueTask DisposeAsync()
    {
        await StopControllerAsync();
        Client.Dispose();
        Metrics.Dispose();
        await Server.DisposeAsync();
    }
}
