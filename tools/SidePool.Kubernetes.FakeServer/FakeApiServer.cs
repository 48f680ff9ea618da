using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// An in-process fake Kubernetes API server (Kestrel on 127.0.0.1, random port) storing any registered resource as JSON.
/// See <c>docs/fake-api-server.md</c> for what it implements and what it simplifies.
/// </summary>
public sealed class FakeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ResourceOperations _operations;
    private readonly GarbageCollector _garbageCollector;
    private readonly CancellationTokenSource _stopping;
    private readonly FakeApiServerOptions _options;
    private readonly List<Controllers.ControllerLoop> _controllers = [];

    private FakeApiServer(WebApplication app, ResourceOperations operations, GarbageCollector garbageCollector, CancellationTokenSource stopping, FakeApiServerOptions options, FaultInjector faults, Uri baseAddress, X509Certificate2? clientCertificate)
    {
        _app = app;
        _operations = operations;
        _garbageCollector = garbageCollector;
        _stopping = stopping;
        _options = options;
        Faults = faults;
        BaseAddress = baseAddress;
        ClientCertificate = clientCertificate;
    }

    /// <summary><c>http(s)://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Fault injection for resource requests.</summary>
    public FaultInjector Faults { get; }

    /// <summary>The latest resourceVersion handed out.</summary>
    public long CurrentResourceVersion => _operations.Store.ResourceVersion;

    /// <summary>When <see cref="FakeApiServerOptions.RequireClientCertificate"/> is set: a client certificate (with key) that the server accepts and that <see cref="WriteKubeconfig"/> embeds.</summary>
    public X509Certificate2? ClientCertificate { get; }

    /// <summary>Starts the server with the built-in resources registered and namespace <c>default</c> created.</summary>
    public static async Task<FakeApiServer> StartAsync(FakeApiServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new FakeApiServerOptions();
        if (options.RequireClientCertificate && options.ServerCertificate is null)
        {
            throw new ArgumentException("RequireClientCertificate needs a ServerCertificate (https).", nameof(options));
        }

        if (options.ExternalKubeletNodeName is not null && options.SimulatePodLifecycle)
        {
            throw new ArgumentException("ExternalKubeletNodeName and SimulatePodLifecycle exclude each other: one node agent runs the pods.", nameof(options));
        }

        var time = TimeProvider.System;
        var registry = new ResourceRegistry();
        foreach (var definition in BuiltInResources.Definitions)
        {
            registry.Register(definition);
        }

        var store = new ObjectStore(options.WatchHistoryLimit);
        var operations = new ResourceOperations(store, registry, time);
        var systemWrite = new WriteOptions("fake-apiserver", Force: false, DryRun: false);
        if (options.ServiceAccountTokens)
        {
            operations.ServiceAccounts = new ServiceAccountAccess(options.ServerCertificate?.ExportCertificatePem() ?? string.Empty, time);
        }

        var namespaces = registry.Find(string.Empty, "v1", "namespaces")!;
        foreach (var name in new[] { "default", "kube-system", "kube-public" })
        {
            operations.Create(namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, systemWrite);
        }

        var logger = options.Logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        operations.Admission = new Admission.MutatingWebhookDispatcher(store, registry, new Admission.WebhookTransport(options.WebhookServiceResolver, new Admission.ServiceEndpointResolver(store, registry)), logger);
        operations.Authorizer = options.AuthorizeWithRbac ? new Authorization.RequestAuthorizer(new Authorization.RbacAuthorizer(store, registry), registry) : null;
        var faults = new FaultInjector();
        var stopping = new CancellationTokenSource();
        var handler = new ApiRequestHandler(operations, faults, options, time, stopping.Token);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(FakeApiServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                if (options.ServerCertificate is { } certificate)
                {
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = certificate;
                        if (options.RequireClientCertificate)
                        {
                            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                            https.AllowAnyClientCertificate();
                        }
                    });
                }
            });
        });
        var app = builder.Build();
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var scheme = options.ServerCertificate is null ? "http" : "https";
        var clientCertificate = options.RequireClientCertificate ? TestCertificates.CreateClientCertificate() : null;
        var garbageCollector = new GarbageCollector(operations);
        var server = new FakeApiServer(app, operations, garbageCollector, stopping, options, faults, new Uri($"{scheme}://127.0.0.1:{port}/"), clientCertificate);
        await server.StartSimulationsAsync(logger, cancellationToken);
        return server;
    }

    /// <summary>
    /// The pod lifecycle SIMULATION's test hooks (hold pods not ready, fail pods) when
    /// <see cref="FakeApiServerOptions.SimulatePodLifecycle"/> is on; otherwise null.
    /// </summary>
    public SimulatedKubelet? Kubelet { get; private set; }

    /// <summary>The message of every request RBAC (or the ownerReferences check) refused, oldest first; empty unless <see cref="FakeApiServerOptions.AuthorizeWithRbac"/>.</summary>
    public IReadOnlyCollection<string> AuthorizationDenials => _operations.Authorizer?.Denials ?? [];

    private async Task StartSimulationsAsync(Microsoft.Extensions.Logging.ILogger logger, CancellationToken cancellationToken)
    {
        var context = new Controllers.ControllerContext(_operations, _options, logger, _stopping.Token);
        if (_options.ExternalKubeletNodeName is { } externalNode)
        {
            _operations.GracefulPodDeletion = true;
            var scheduler = new Controllers.PodScheduler(context, externalNode);
            await scheduler.RegisterNodeAsync(cancellationToken);
            _controllers.Add(scheduler);
        }
        else if (_options.SimulatePodLifecycle)
        {
            _operations.GracefulPodDeletion = true;
            var kubelet = new Controllers.PodLifecycleSimulation(context);
            await kubelet.RegisterNodeAsync(cancellationToken);
            Kubelet = new SimulatedKubelet(kubelet);
            _controllers.Add(kubelet);
        }

        if (_options.RunControllers)
        {
            _controllers.Add(new Controllers.DeploymentController(context));
            _controllers.Add(new Controllers.ReplicaSetController(context));
            _controllers.Add(new Controllers.StatefulSetController(context));
        }

        foreach (var controller in _controllers)
        {
            controller.Start();
        }
    }

    /// <summary>Serves another resource type (replaces a registration with the same group, version and plural).</summary>
    public void RegisterResource(ResourceDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _operations.Registry.Register(definition);
    }

    /// <summary>Forgets the watch history: watches from an older resourceVersion (and old continue tokens) get 410 Expired.</summary>
    public void Compact()
    {
        lock (_operations.Store.SyncRoot)
        {
            _operations.Store.Compact();
        }
    }

    /// <summary>Runs garbage collection now (it also runs in the background after every deletion).</summary>
    public void CollectGarbage() => _garbageCollector.Collect();

    /// <summary>Writes a kubeconfig for this server (bearer token if required, CA data if https, client certificate if required) and returns its full path.</summary>
    public string WriteKubeconfig(string path, string? @namespace = null) =>
        KubeconfigWriter.Write(path, BaseAddress, @namespace, _options.RequiredBearerToken, _options.ServerCertificate, ClientCertificate);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        foreach (var controller in _controllers)
        {
            await controller.DisposeAsync();
        }

        await _garbageCollector.DisposeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _stopping.Dispose();
        ClientCertificate?.Dispose();
    }
}
