using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.FakeServer;
using SidePool.Operator.Hosting;
using SidePool.Testing;

namespace SidePool.Operator.Tests.Support;

/// <summary>
/// The seam from operator to pod, all real but the kubelet: the fake API server with its Deployment, ReplicaSet and
/// StatefulSet controllers and a pod lifecycle simulation; the operator host (controller and webhook over HTTPS with
/// its own certificate); and a MutatingWebhookConfiguration through which the API server calls the webhook for
/// every pod the controllers create, with the caBundle the operator keeps.
/// </summary>
public sealed class InjectingCluster : IAsyncDisposable
{
    public const string Ns = "default";
    public const string WebhookConfiguration = "sidepool-operator";

    private readonly Microsoft.AspNetCore.Builder.WebApplication _operator;

    private InjectingCluster(OperatorHarness harness, Microsoft.AspNetCore.Builder.WebApplication host)
    {
        Harness = harness;
        _operator = host;
    }

    public OperatorHarness Harness { get; }

    /// <summary>What the API server logged (webhook calls that failed open, controller errors).</summary>
    public static CapturedLogs ServerLog { get; } = new();

    public static async Task<InjectingCluster> StartAsync(TimeSpan? podReadinessDelay = null)
    {
        var webhookPort = FreePort.Next();
        var harness = await OperatorHarness.StartAsync(startController: false, options: new FakeApiServerOptions
        {
            RunControllers = true,
            Logger = ServerLog.CreateLogger("fake-api-server"),
            SimulatePodLifecycle = true,
            PodReadinessDelay = podReadinessDelay ?? TimeSpan.FromMilliseconds(300),
            WebhookServiceResolver = s => s.Name == "sidepool-webhook" && s.NamespaceProperty == Ns ? new Uri($"https://127.0.0.1:{webhookPort}/") : null,
        });
        try
        {
            await harness.Client.Resource(KubernetesResources.MutatingWebhookConfigurations).CreateAsync(new MutatingWebhookConfiguration
            {
                Metadata = new ObjectMeta { Name = WebhookConfiguration },
                Webhooks =
                [
                    new MutatingWebhook
                    {
                        Name = "pods.sidepool.dev",
                        ClientConfig = new WebhookClientConfig { Service = new ServiceReference { NamespaceProperty = Ns, Name = "sidepool-webhook", Path = "/mutate-pods", Port = 443 } },
                        SideEffects = "NoneOnDryRun",
                        AdmissionReviewVersions = ["v1"],
                        Rules = [new RuleWithOperations { Operations = ["CREATE"], ApiGroups = [""], ApiVersions = ["v1"], Resources = ["pods"] }],
                        FailurePolicy = "Ignore",
                        TimeoutSeconds = 5,
                    },
                ],
            });
            var options = new OperatorOptions
            {
                MetricsPort = FreePort.Next(),
                WebhookPort = webhookPort,
                SidecarMode = "native",
                Identity = "replica-a",
                OperatorNamespace = Ns,
                WebhookConfiguration = WebhookConfiguration,
            };
            var host = OperatorHost.Build(options, harness.Client, logging => logging.ClearProviders());
            await host.StartAsync();
            var cluster = new InjectingCluster(harness, host);

            // The operator fills the caBundle the API server verifies the webhook with.
            await OperatorHarness.EventuallyAsync(
                () => harness.Client.Resource(KubernetesResources.MutatingWebhookConfigurations).GetAsync(WebhookConfiguration),
                c => c.Webhooks![0].ClientConfig.CaBundle is { Length: > 0 },
                TimeSpan.FromSeconds(30),
                "caBundle");
            return cluster;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>A Deployment whose pods the pool <paramref name="pool"/> selects (label app=<paramref name="app"/>).</summary>
    public Task<Deployment> CreateDeploymentAsync(string name, string app, int replicas) =>
        Harness.Deployments.CreateAsync(new Deployment
        {
            Metadata = new ObjectMeta { Name = name, NamespaceProperty = Ns },
            Spec = new DeploymentSpec
            {
                Replicas = replicas,
                Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
                Strategy = new DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 } },
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
                    Spec = new PodSpec { Containers = [new Container { Name = "app", Image = "example/app:1" }] },
                },
            },
        });

    public async Task<List<Pod>> PodsAsync(string app) =>
        await Harness.Pods.ListAllAsync(Ns, new Kubernetes.Client.ListOptions { LabelSelector = $"app={app}" }).ToListAsync();

    public async ValueTask DisposeAsync()
    {
        await _operator.StopAsync();
        await _operator.DisposeAsync();
        await Harness.DisposeAsync();
    }
}
