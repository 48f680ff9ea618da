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
/// (finalizer, key, client and version Secrets owned by the pool with blockOwnerDeletion), a Deployment's, a StatefulSet's
/// and a DaemonSet's pods are injected by the webhook and counted in status, an event is recorded, a spec change stamps
/// the three workloads and retires the old version and its Secret, a second replica takes the Lease over and replaces a
/// damaged webhook certificate, a reload rewrites the version Secret in place, and deleting the pool unstamps the
/// workloads and keeps the still-mounted Secret. Steps run in order; the first that does not happen within
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
            RetiredSecretGrace = TimeSpan.FromSeconds(1),
        };
        using var logs = new CapturedLogs();
        var operatorHost = new OperatorProcess(options, asOperator, logs);
        await operatorHost.StartAsync("sidepool-0");
        var steps = new List<RbacStep>();
        try
        {
            foreach (var (name, step) in Steps(admin, options, operatorHost))
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
            await operatorHost.StopAsync();
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

    private static IEnumerable<(string Name, Func<TimeSpan, Task> Step)> Steps(KubernetesClient admin, OperatorOptions options, OperatorProcess operatorHost)
    {
        var pools = admin.Resource(ConnectionPoolResource.Type);
        var pods = admin.Resource(KubernetesResources.Pods);
        var secrets = admin.Resource(KubernetesResources.Secrets);
        var configurations = admin.Resource(KubernetesResources.MutatingWebhookConfigurations);
        string? v1 = null;
        string? v2 = null;
        string? caBundle = null;

        yield return ("webhook caBundle kept", async t =>
        {
            var configuration = await OperatorHarness.EventuallyAsync(() => configurations.GetAsync(options.WebhookConfiguration), c => c.Webhooks![0].ClientConfig.CaBundle is { Length: > 0 }, t, "caBundle");
            caBundle = Convert.ToBase64String(configuration.Webhooks![0].ClientConfig.CaBundle);
        }
        );

        yield return ("pool published with its finalizer and Secrets", async t =>
        {
            await pools.CreateAsync(OperatorHarness.Pool(AppNamespace, "orders", "web"));
            var pool = await OperatorHarness.EventuallyAsync(
                () => pools.GetAsync("orders", AppNamespace),
                p => p.Status?.CurrentVersion is not null && p.Metadata.Finalizers?.Contains(VersionContract.Finalizer) == true,
                t,
                "current version and finalizer");
            v1 = pool.Status!.CurrentVersion!;
            await OperatorHarness.EventuallyAsync(() => secrets.TryGetAsync(VersionContract.Secrets.Version("orders", v1), AppNamespace), s => s is not null, t, "version Secret");
        }
        );

        yield return ("the webhook injects a Deployment's, a StatefulSet's and a DaemonSet's pods, and status counts them", async t =>
        {
            await admin.Resource(KubernetesResources.Deployments).CreateAsync(Deployment("deploy", replicas: 2));
            await admin.Resource(KubernetesResources.StatefulSets).CreateAsync(StatefulSet("sts"));
            var daemonSet = await admin.Resource(KubernetesResources.DaemonSets).CreateAsync(DaemonSet("ds"));
            await pods.CreateAsync(DaemonSetPod(daemonSet, "ds-a"));
            await OperatorHarness.EventuallyAsync(
                () => pools.GetAsync("orders", AppNamespace),
                p => p.Status?.Versions?.FirstOrDefault(v => v.Version == v1)?.ReadyPods == 4 && p.Status.Targets?.Workloads == 3,
                t,
                "4 ready pods of 3 workloads on v1 in status");
            await AllPodsOnAsync(pods, v1!, 4, t);
        }
        );

        yield return ("VersionCreated event recorded", t => OperatorHarness.EventuallyAsync(
            () => admin.Resource(KubernetesResources.Events).ListAllAsync(AppNamespace).ToListAsync().AsTask(),
            events => events.Any(e => e.Reason == "VersionCreated" && e.Regarding?.Name == "orders"),
            t,
            "VersionCreated event"));

        yield return ("a spec change stamps the three workloads and the old version retires", async t =>
        {
            await pools.PatchAsync("orders", AppNamespace, KubernetesPatch.Merge(new JsonObject { ["spec"] = new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 7432 } } }));
            v2 = (await OperatorHarness.EventuallyAsync(() => pools.GetAsync("orders", AppNamespace), p => p.Status?.CurrentVersion is { } c && c != v1, t, "v2")).Status!.CurrentVersion!;

            // no DaemonSet controller here: roll its pod as it would, once its template is stamped
            var daemonSet = await OperatorHarness.EventuallyAsync(
                () => admin.Resource(KubernetesResources.DaemonSets).GetAsync("ds", AppNamespace),
                d => VersionContract.Annotations.TemplateVersionOf(d.Spec.Template.Metadata?.Annotations, "orders") == v2,
                t,
                "DaemonSet stamped");
            await pods.DeleteAsync("ds-a", AppNamespace);
            await pods.CreateAsync(DaemonSetPod(daemonSet, "ds-b"));
            await OperatorHarness.EventuallyAsync(
                () => pools.GetAsync("orders", AppNamespace),
                p => p.Status!.Versions!.Any(v => v.Version == v2 && v.ReadyPods == 4) && p.Status.Versions!.Any(v => v.Version == v1 && v.State == "Retired"),
                t + TimeSpan.FromSeconds(10),
                "4 pods on v2, v1 retired");
            await AllPodsOnAsync(pods, v2, 4, t);
        }
        );

        yield return ("the retired version's Secret is deleted", t => OperatorHarness.EventuallyAsync(
            () => secrets.TryGetAsync(VersionContract.Secrets.Version("orders", v1!), AppNamespace),
            s => s is null,
            t,
            "v1 Secret deleted"));

        yield return ("a new leader replaces a damaged webhook certificate and takes the Lease over", async t =>
        {
            await operatorHost.StopAsync();
            var certificate = await secrets.GetAsync(CertificateSecret, options.OperatorNamespace);
            certificate.Data = new Dictionary<string, byte[]>();
            await secrets.ReplaceAsync(certificate);
            await operatorHost.StartAsync("sidepool-1");
            await OperatorHarness.EventuallyAsync(
                () => configurations.GetAsync(options.WebhookConfiguration),
                c => c.Webhooks![0].ClientConfig.CaBundle is { Length: > 0 } bundle && Convert.ToBase64String(bundle) != caBundle,
                t,
                "a new caBundle");
            await OperatorHarness.EventuallyAsync(
                () => admin.Resource(KubernetesResources.Leases).GetAsync(options.LeaseName, options.OperatorNamespace),
                l => l.Spec?.HolderIdentity == "sidepool-1",
                t,
                "the Lease held by sidepool-1");
        }
        );

        yield return ("a pool size change rewrites the version Secret in place", async t =>
        {
            var before = (await secrets.GetAsync(VersionContract.Secrets.Version("orders", v2!), AppNamespace)).Metadata.ResourceVersion;
            await pools.PatchAsync("orders", AppNamespace, KubernetesPatch.Merge(new JsonObject { ["spec"] = new JsonObject { ["pool"] = new JsonObject { ["size"] = 12 } } }));
            await OperatorHarness.EventuallyAsync(
                () => secrets.GetAsync(VersionContract.Secrets.Version("orders", v2!), AppNamespace),
                s => s.Metadata.ResourceVersion != before,
                t,
                "version Secret rewritten");
            var pool = await pools.GetAsync("orders", AppNamespace);
            if (pool.Status?.CurrentVersion != v2)
            {
                throw new TimeoutException($"a reload made a new version {pool.Status?.CurrentVersion}");
            }
        }
        );

        yield return ("deleting the pool unstamps the workloads and keeps the mounted Secret", async t =>
        {
            await pools.DeleteAsync("orders", AppNamespace);
            await OperatorHarness.EventuallyAsync(() => pools.TryGetAsync("orders", AppNamespace), p => p is null, t, "pool gone");
            await OperatorHarness.EventuallyAsync(
                () => admin.Resource(KubernetesResources.Deployments).GetAsync("deploy", AppNamespace),
                d => VersionContract.Annotations.TemplateVersionOf(d.Spec.Template.Metadata?.Annotations, "orders") is null,
                t,
                "stamp removed from the Deployment");
            await OperatorHarness.EventuallyAsync(
                () => secrets.TryGetAsync(VersionContract.Secrets.Version("orders", v2!), AppNamespace),
                s => s?.Metadata.Labels?.ContainsKey(VersionContract.Labels.Orphaned) == true,
                t,
                "mounted version Secret kept and labelled orphaned");
        }
        );
    }

    /// <summary>The Secret the self-signed issuer keeps its CA and serving certificate in.</summary>
    public const string CertificateSecret = "sidepool-webhook-tls";

    private static async Task AllPodsOnAsync(IResourceClient<Pod> pods, string version, int count, TimeSpan timeout) =>
        await OperatorHarness.EventuallyAsync(
            () => pods.ListAllAsync(AppNamespace, new ListOptions { LabelSelector = "app=web" }).ToListAsync().AsTask(),
            all => all.Count(p => p.Metadata.DeletionTimestamp is null) == count &&
                   all.Where(p => p.Metadata.DeletionTimestamp is null).All(p => VersionContract.Labels.VersionOf(p.Metadata.Labels, "orders") == VersionContract.Short(version)),
            timeout,
            $"{count} pods carry the sidecar of {VersionContract.Short(version)}");

    private static Dictionary<string, string> Labels(string role) => new() { ["app"] = "web", ["role"] = role };

    private static PodTemplateSpec Template(string role) => new()
    {
        Metadata = new ObjectMeta { Labels = Labels(role) },
        Spec = new PodSpec { Containers = [new Container { Name = "app", Image = "example/app:1" }] },
    };

    private static StatefulSet StatefulSet(string role) => new()
    {
        Metadata = new ObjectMeta { Name = role, NamespaceProperty = AppNamespace },
        Spec = new StatefulSetSpec { Replicas = 1, ServiceName = role, Selector = new LabelSelector { MatchLabels = Labels(role) }, Template = Template(role) },
    };

    private static DaemonSet DaemonSet(string role) => new()
    {
        Metadata = new ObjectMeta { Name = role, NamespaceProperty = AppNamespace },
        Spec = new DaemonSetSpec { Selector = new LabelSelector { MatchLabels = Labels(role) }, Template = Template(role) },
    };

    /// <summary>A pod as the DaemonSet controller would create it: the template's labels and annotations, owned by the DaemonSet.</summary>
    private static Pod DaemonSetPod(DaemonSet daemonSet, string name) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            NamespaceProperty = AppNamespace,
            Labels = new Dictionary<string, string>(daemonSet.Spec.Template.Metadata.Labels),
            Annotations = daemonSet.Spec.Template.Metadata.Annotations is { } a ? new Dictionary<string, string>(a) : null,
            OwnerReferences = [new OwnerReference { ApiVersion = "apps/v1", Kind = "DaemonSet", Name = daemonSet.Metadata.Name, Uid = daemonSet.Metadata.Uid, Controller = true, BlockOwnerDeletion = true }],
        },
        Spec = daemonSet.Spec.Template.Spec,
    };

    private static Deployment Deployment(string role, int replicas) => new()
    {
        Metadata = new ObjectMeta { Name = role, NamespaceProperty = AppNamespace },
        Spec = new DeploymentSpec
        {
            Replicas = replicas,
            Selector = new LabelSelector { MatchLabels = Labels(role) },
            Strategy = new DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 } },
            Template = Template(role),
        },
    };
}

/// <summary>What a run did: each step (until the first that did not happen), what the API server refused, what the operator logged about it.</summary>
public sealed record RbacOutcome(IReadOnlyList<RbacStep> Steps, IReadOnlyList<string> Denials, IReadOnlyList<string> ForbiddenLogs)
{
    public bool Completed => Steps.Count > 0 && Steps.All(s => s.Done) && Steps.Count == RbacStepCount;

    public RbacStep? FirstFailure => Steps.FirstOrDefault(s => !s.Done);

    /// <summary>How many steps <see cref="RbacScenario"/> runs.</summary>
    public const int RbacStepCount = 9;
}

public sealed record RbacStep(string Name, bool Done, TimeSpan Took, string? Why);
