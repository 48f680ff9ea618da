using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.FakeServer;
using SidePool.Operator.Hosting;
using SidePool.Operator.Tests.Support;
using SidePool.Testing;

namespace SidePool.Operator.Tests.Rbac;

/// <summary>
/// Everything the operator does in a cluster, run as its service account on a fake API server that enforces RBAC (and
/// OwnerReferencesPermissionEnforcement) with exactly the rules given: the webhook's caBundle is kept, a pool is published
/// (finalizer, key, client and version Secrets owned by the pool with blockOwnerDeletion), a Deployment's pods are
/// injected by the webhook and counted in status, an event is recorded, a spec change rolls the Deployment and retires the
/// old version and its Secret, and deleting the pool completes. Steps run in order; the first that does not happen within
/// <c>stepTimeout</c> ends the run. The app namespace is <see cref="AppNamespace"/>; the operator's own is given.
/// </summary>
public sealed class RbacScenario
{
    public const string AppNamespace = "shop";
    public const string Token = "sidepool-operator-token";

    public static async Task<RbacOutcome> RunAsync(string rbacYaml, string operatorNamespace, string serviceAccount, OperatorOptions baseOptions, TimeSpan stepTimeout)
    {
        var webhookPort = FreePort.Next();
        var user = $"system:serviceaccount:{operatorNamespace}:{serviceAccount}";
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions
        {
            AuthorizeWithRbac = true,
            BearerTokens = new Dictionary<string, k8s.Models.V1UserInfo>
            {
                [Token] = new() { Username = user, Groups = ["system:serviceaccounts", $"system:serviceaccounts:{operatorNamespace}", "system:authenticated"] },
            },
            RunControllers = true,
            SimulatePodLifecycle = true,
            PodReadinessDelay = TimeSpan.FromMilliseconds(200),
            WebhookServiceResolver = s => s.Name == baseOptions.WebhookService && s.NamespaceProperty == operatorNamespace ? new Uri($"https://127.0.0.1:{webhookPort}/") : null,
        });
        using var admin = KubernetesClient.ForServer(server.BaseAddress, "default", new KubernetesClientOptions { RequestTimeout = TimeSpan.FromSeconds(20) });
        using var home = new TestDirectory("rbac");
        await SetUpAsync(server, admin, home, rbacYaml, operatorNamespace, baseOptions);

        using var asOperator = KubernetesClient.ForServer(server.BaseAddress, operatorNamespace, new KubernetesClientOptions { RequestTimeout = TimeSpan.FromSeconds(20) }, Token);
        var options = baseOptions with
        {
            MetricsPort = FreePort.Next(),
            WebhookPort = webhookPort,
            OperatorNamespace = operatorNamespace,
            Identity = "sidepool-0",
            NotSyncingRecheck = TimeSpan.FromMilliseconds(500),
        };
        using var logs = new CapturedLogs();
        var host = OperatorHost.Build(options, asOperator, l => { l.ClearProviders(); l.AddProvider(logs); });
        await host.StartAsync();
        var steps = new List<RbacStep>();
        try
        {
            foreach (var (name, step) in Steps(admin, options))
            {
                var clock = Stopwatch.StartNew();
                try
                {
                    await step(stepTimeout);
                    steps.Add(new RbacStep(name, true, clock.Elapsed, null));
                }
                catch (TimeoutException e)
                {
                    steps.Add(new RbacStep(name, false, clock.Elapsed, e.Message));
                    break;
                }
            }
        }
        finally
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }

        return new RbacOutcome(steps, [.. server.AuthorizationDenials], [.. logs.Containing("forbidden", LogLevel.Warning).Select(l => l.Message)]);
    }

    private static async Task SetUpAsync(FakeApiServer server, KubernetesClient admin, TestDirectory home, string rbacYaml, string operatorNamespace, OperatorOptions options)
    {
        await OperatorHarness.RegisterCrdAsync(server);
        foreach (var ns in new[] { operatorNamespace, AppNamespace })
        {
            await admin.Resource(KubernetesResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = ns } });
        }

        // the rules under test, applied as an administrator would (helm install does the same)
        var file = Path.Combine(home.FullPath, "rbac.yaml");
        await File.WriteAllTextAsync(file, rbacYaml);
        var kubeconfig = server.WriteKubeconfig(Path.Combine(home.FullPath, "kubeconfig"));
        var apply = await ProgramRun.RunAsync("kubectl", ["--kubeconfig", kubeconfig, "apply", "-f", file], home.FullPath, timeout: TimeSpan.FromSeconds(60));
        if (apply.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl apply of the RBAC rules failed: {apply.Stderr}");
        }

        await admin.Resource(KubernetesResources.MutatingWebhookConfigurations).CreateAsync(new MutatingWebhookConfiguration
        {
            Metadata = new ObjectMeta { Name = options.WebhookConfiguration },
            Webhooks =
            [
                new MutatingWebhook
                {
                    Name = "pods.sidepool.dev",
                    ClientConfig = new WebhookClientConfig { Service = new ServiceReference { NamespaceProperty = operatorNamespace, Name = options.WebhookService, Path = "/mutate-pods", Port = 443 } },
                    SideEffects = "NoneOnDryRun",
                    AdmissionReviewVersions = ["v1"],
                    Rules = [new RuleWithOperations { Operations = ["CREATE"], ApiGroups = [""], ApiVersions = ["v1"], Resources = ["pods"] }],
                    FailurePolicy = "Ignore",
                    TimeoutSeconds = 5,
                },
            ],
        });
        await admin.Resource(KubernetesResources.Secrets).CreateAsync(new Secret
        {
            Metadata = new ObjectMeta { Name = "orders-creds", NamespaceProperty = AppNamespace },
            StringData = new Dictionary<string, string> { ["username"] = "app", ["password"] = "pw" },
        });
    }

    private static IEnumerable<(string Name, Func<TimeSpan, Task> Step)> Steps(KubernetesClient admin, OperatorOptions options)
    {
        var pools = admin.Resource(ConnectionPoolResource.Type);
        var pods = admin.Resource(KubernetesResources.Pods);
        string? v1 = null;
        string? v2 = null;

        yield return ("webhook caBundle kept", t => OperatorHarness.EventuallyAsync(
            () => admin.Resource(KubernetesResources.MutatingWebhookConfigurations).GetAsync(options.WebhookConfiguration),
            c => c.Webhooks![0].ClientConfig.CaBundle is { Length: > 0 },
            t,
            "caBundle"));

        yield return ("pool published with its finalizer and Secrets", async t =>
        {
            await pools.CreateAsync(OperatorHarness.Pool(AppNamespace, "orders", "web"));
            var pool = await OperatorHarness.EventuallyAsync(
                () => pools.GetAsync("orders", AppNamespace),
                p => p.Status?.CurrentVersion is not null && p.Metadata.Finalizers?.Contains(VersionContract.Finalizer) == true,
                t,
                "current version and finalizer");
            v1 = pool.Status!.CurrentVersion!;
            await OperatorHarness.EventuallyAsync(() => admin.Resource(KubernetesResources.Secrets).TryGetAsync(VersionContract.Secrets.Version("orders", v1), AppNamespace), s => s is not null, t, "version Secret");
        }
        );

        yield return ("webhook injects pods the status counts", async t =>
        {
            await admin.Resource(KubernetesResources.Deployments).CreateAsync(Deployment("web", replicas: 2));
            await OperatorHarness.EventuallyAsync(
                () => pools.GetAsync("orders", AppNamespace),
                p => p.Status?.Versions?.FirstOrDefault(v => v.Version == v1)?.ReadyPods == 2 && p.Status.Targets?.Workloads == 1,
                t,
                "2 ready pods on v1 in status");
            var injected = await pods.ListAllAsync(AppNamespace, new ListOptions { LabelSelector = "app=web" }).ToListAsync();
            if (!injected.All(p => VersionContract.Labels.VersionOf(p.Metadata.Labels, "orders") == VersionContract.Short(v1!)))
            {
                throw new TimeoutException("pods run without the sidecar");
            }
        }
        );

        yield return ("VersionCreated event recorded", t => OperatorHarness.EventuallyAsync(
            () => admin.Resource(KubernetesResources.Events).ListAllAsync(AppNamespace).ToListAsync().AsTask(),
            events => events.Any(e => e.Reason == "VersionCreated" && e.Regarding?.Name == "orders"),
            t,
            "VersionCreated event"));

        yield return ("a spec change rolls the Deployment and retires the old version", async t =>
        {
            await pools.PatchAsync("orders", AppNamespace, KubernetesPatch.Merge(new JsonObject { ["spec"] = new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 7432 } } }));
            var pool = await OperatorHarness.EventuallyAsync(
                () => pools.GetAsync("orders", AppNamespace),
                p => p.Status?.CurrentVersion is { } c && c != v1 && p.Status.Versions!.Any(v => v.Version == c && v.ReadyPods == 2) && p.Status.Versions!.Any(v => v.Version == v1 && v.State == "Retired"),
                t,
                "v2 on both pods, v1 retired");
            v2 = pool.Status!.CurrentVersion!;
        }
        );

        yield return ("the retired version's Secret is deleted", t => OperatorHarness.EventuallyAsync(
            () => admin.Resource(KubernetesResources.Secrets).TryGetAsync(VersionContract.Secrets.Version("orders", v1!), AppNamespace),
            s => s is null,
            t + TimeSpan.FromSeconds(15),
            "v1 Secret deleted"));

        yield return ("deleting the pool completes", async t =>
        {
            await pools.DeleteAsync("orders", AppNamespace);
            await OperatorHarness.EventuallyAsync(() => pools.TryGetAsync("orders", AppNamespace), p => p is null, t, "pool gone");
            await OperatorHarness.EventuallyAsync(
                () => admin.Resource(KubernetesResources.Deployments).GetAsync("web", AppNamespace),
                d => VersionContract.Annotations.TemplateVersionOf(d.Spec.Template.Metadata?.Annotations, "orders") is null,
                t,
                "stamp removed from the Deployment");
        }
        );
    }

    private static Deployment Deployment(string name, int replicas) => new()
    {
        Metadata = new ObjectMeta { Name = name, NamespaceProperty = AppNamespace },
        Spec = new DeploymentSpec
        {
            Replicas = replicas,
            Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } },
            Strategy = new DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 } },
            Template = new PodTemplateSpec
            {
                Metadata = new ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = name } },
                Spec = new PodSpec { Containers = [new Container { Name = "app", Image = "example/app:1" }] },
            },
        },
    };
}

/// <summary>What a run did: each step (until the first that did not happen), what the API server refused, what the operator logged about it.</summary>
public sealed record RbacOutcome(IReadOnlyList<RbacStep> Steps, IReadOnlyList<string> Denials, IReadOnlyList<string> ForbiddenLogs)
{
    public bool Completed => Steps.Count > 0 && Steps.All(s => s.Done) && Steps.Count == RbacStepCount;

    public RbacStep? FirstFailure => Steps.FirstOrDefault(s => !s.Done);

    /// <summary>How many steps <see cref="RbacScenario"/> runs.</summary>
    public const int RbacStepCount = 7;
}

public sealed record RbacStep(string Name, bool Done, TimeSpan Took, string? Why);
