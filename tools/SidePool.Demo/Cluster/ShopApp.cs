using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Kubernetes.Client;

namespace SidePool.Demo.Cluster;

/// <summary>
/// The app the demo and the end-to-end tests run: a Deployment of the load generator (image
/// <c>localhost/sidepool/loadgen:dev</c> unless given) selected by a ConnectionPool in front of the cluster's
/// PostgreSQL. The app knows nothing of SidePool: DATABASE_URL comes from the injected env.
/// </summary>
internal sealed class ShopApp(IAppCluster cluster, string name = "shop", string image = ShopApp.Image)
{
    public const string Container = "loadgen";
    public const string Image = "localhost/sidepool/loadgen:dev";

    private static readonly ResourceType<ConnectionPool> Pools = new(new ApiResource(Naming.Group, Naming.Version, Naming.Plural, Naming.Kind, true), ApiJsonContext.Lenient.ConnectionPool);

    /// <summary>The app's namespace (one app per namespace, so scenarios can share one sandbox).</summary>
    public string Namespace { get; } = name;

    public string Pool { get; } = $"{name}-db";

    public string Deployment { get; } = "loadgen";

    public string CredentialsSecret { get; } = $"{name}-db-app";

    /// <summary>The database role (the credentials Secret's username until a scenario changes it).</summary>
    public string User { get; } = $"{name}_app";

    public string Database { get; } = name;

    public IResourceClient<ConnectionPool> PoolClient => cluster.Client.Resource(Pools);

    /// <summary>The database role and database, the namespace, the credentials Secret, the pool and the app (2 workers a pod).</summary>
    public Task CreateAsync(string password, int replicas, Action<ConnectionPoolSpec>? pool = null, CancellationToken cancellationToken = default) =>
        CreateAsync(password, replicas, workers: 2, pool, cancellationToken);

    /// <summary>
    /// The database role and database, the namespace, the credentials Secret, the pool and the app, each pod running
    /// <paramref name="workers"/> loops of transactions, each loop with its own connection, pausing
    /// <paramref name="pauseMilliseconds"/> after each transaction.
    /// </summary>
    public async Task CreateAsync(string password, int replicas, int workers, Action<ConnectionPoolSpec>? pool = null, CancellationToken cancellationToken = default, int pauseMilliseconds = 20)
    {
        await cluster.Database.CreateRoleAsync(User, password, cancellationToken);
        await cluster.Database.CreateDatabaseAsync(Database, User, cancellationToken);
        await cluster.KubectlAsync("create", "namespace", Namespace);
        await cluster.Client.Resource(KubernetesResources.Secrets).CreateAsync(new Secret
        {
            Metadata = new ObjectMeta { Name = CredentialsSecret, NamespaceProperty = Namespace },
            Data = new Dictionary<string, byte[]> { ["username"] = Encoding.UTF8.GetBytes(User), ["password"] = Encoding.UTF8.GetBytes(password) },
        }, cancellationToken: cancellationToken);

        var spec = new ConnectionPoolSpec
        {
            Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = Deployment } },
            Backend = new BackendSpec
            {
                Host = cluster.Database.Host,
                Port = cluster.Database.Port,
                Database = Database,
                CredentialsSecret = new CredentialsSecretRef { Name = CredentialsSecret },
                Tls = new BackendTls { Mode = "disable" },
            },
            Pool = new PoolSettings { Size = 4 },
            Sidecar = new SidecarSpec { ClientAuth = "scram" },
            Rollout = new RolloutSpec { DrainTimeout = "20s", RepairMissing = true },
        };
        pool?.Invoke(spec);
        await PoolClient.CreateAsync(new ConnectionPool { Metadata = new ObjectMeta { Name = Pool, NamespaceProperty = Namespace }, Spec = spec }, cancellationToken: cancellationToken);
        await SandboxCluster.WaitAsync(async () => (await PoolClient.GetAsync(Pool, Namespace, cancellationToken: cancellationToken)).Status?.CurrentVersion is not null, TimeSpan.FromSeconds(30), "the pool's first version");

        await cluster.Client.Resource(KubernetesResources.Deployments).CreateAsync(new V1Deployment
        {
            Metadata = new ObjectMeta { Name = Deployment, NamespaceProperty = Namespace },
            Spec = new DeploymentSpec
            {
                Replicas = replicas,
                Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = Deployment } },
                Strategy = new DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 } },
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = Deployment } },
                    Spec = new PodSpec
                    {
                        Containers =
                        [
                            new Container
                            {
                                Name = Container,
                                Image = image,
                                Env = [new EnvVar { Name = "WORKERS", Value = workers.ToString(CultureInfo.InvariantCulture) }, new EnvVar { Name = "PAUSE_MS", Value = pauseMilliseconds.ToString(CultureInfo.InvariantCulture) }],
                            },
                        ],
                    },
                },
            },
        }, cancellationToken: cancellationToken);
    }

    public Task<ConnectionPool> GetPoolAsync(CancellationToken cancellationToken = default) => PoolClient.GetAsync(Pool, Namespace, cancellationToken: cancellationToken);

    public Task PatchPoolAsync(JsonObject spec, CancellationToken cancellationToken = default) =>
        PoolClient.PatchAsync(Pool, Namespace, KubernetesPatch.Merge(new JsonObject { ["spec"] = spec }), cancellationToken: cancellationToken);

    /// <summary>
    /// A restart-only change (<c>pool.parameters.pkt_buf</c> 8192): a new version rolls out over the Deployment's
    /// pods. Returns the new version once <paramref name="replicas"/> ready pods run it and <paramref name="current"/>
    /// is Retired (its pods drained and gone).
    /// </summary>
    public async Task<string> RollOutNewVersionAsync(string current, int replicas, CancellationToken cancellationToken = default)
    {
        await PatchPoolAsync(new JsonObject { ["pool"] = new JsonObject { ["parameters"] = new JsonObject { ["pkt_buf"] = "8192" } } }, cancellationToken);
        var next = current;
        await SandboxCluster.WaitAsync(async () => (next = (await GetPoolAsync(cancellationToken)).Status!.CurrentVersion!) != current, TimeSpan.FromSeconds(30), "a new version");
        await WaitForPodsAsync(replicas, next, TimeSpan.FromMinutes(3), cancellationToken);
        await SandboxCluster.WaitAsync(async () => (await GetPoolAsync(cancellationToken)).Status!.Versions!.Any(v => v.Version == current && v.State == "Retired"), TimeSpan.FromSeconds(60), $"version {current} retired");
        return next;
    }

    public Task ScaleAsync(int replicas) => cluster.KubectlAsync("-n", Namespace, "scale", $"deployment/{Deployment}", $"--replicas={replicas}");

    /// <summary>The backend password, rotated as docs/rotation.md says: in PostgreSQL first, then in the Secret.</summary>
    public async Task RotatePasswordAsync(string password, CancellationToken cancellationToken = default)
    {
        await cluster.Database.ExecuteAsync($"ALTER ROLE \"{User}\" PASSWORD '{password.Replace("'", "''", StringComparison.Ordinal)}'", cancellationToken);
        await cluster.Client.Resource(KubernetesResources.Secrets).PatchAsync(
            CredentialsSecret,
            Namespace,
            KubernetesPatch.Merge(new JsonObject { ["data"] = new JsonObject { ["password"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(password)) } }),
            cancellationToken: cancellationToken);
    }

    /// <summary>
    /// A new database user for the app (created in PostgreSQL with the current password, a member of the first user so
    /// it may use the app's table): the credentials Secret's username changes, which is a new pool version (apps hold
    /// the user).
    /// </summary>
    public async Task ChangeUserAsync(string user, string password, CancellationToken cancellationToken = default)
    {
        await cluster.Database.CreateRoleAsync(user, password, cancellationToken);
        await cluster.Database.ExecuteAsync($"GRANT \"{User}\" TO \"{user}\"", cancellationToken); // the app's table and schema rights
        await cluster.Client.Resource(KubernetesResources.Secrets).PatchAsync(
            CredentialsSecret,
            Namespace,
            KubernetesPatch.Merge(new JsonObject { ["data"] = new JsonObject { ["username"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(user)) } }),
            cancellationToken: cancellationToken);
    }

    /// <summary>Server connections PostgreSQL holds for the app's database (every pod's PgBouncer, any user).</summary>
    public async Task<int> ServerConnectionsAsync(CancellationToken cancellationToken = default) =>
        (int)(await cluster.Database.CountAsync(
            $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{Database}' AND backend_type = 'client backend'",
            cancellationToken: cancellationToken));

    /// <summary>Scales the app to 0 and waits until its pods are gone (scenarios sharing a cluster end with it).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await ScaleAsync(0);
        await SandboxCluster.WaitAsync(async () => (await PodsAsync(includeTerminating: true, cancellationToken)).Count == 0, TimeSpan.FromMinutes(2), $"the pods of {Namespace} gone");
    }

    /// <summary>The app's pods (not terminating unless asked).</summary>
    public async Task<List<Pod>> PodsAsync(bool includeTerminating = false, CancellationToken cancellationToken = default) =>
        (await cluster.Client.Resource(KubernetesResources.Pods).ListAllAsync(Namespace, new ListOptions { LabelSelector = $"app={Deployment}" }, cancellationToken).ToListAsync(cancellationToken))
            .Where(p => includeTerminating || p.Metadata?.DeletionTimestamp is null)
            .ToList();

    /// <summary>Pods per pool version (the webhook's stamp; "none" for a pod without the sidecar).</summary>
    public IReadOnlyDictionary<string, int> PerVersion(IEnumerable<Pod> pods) =>
        pods.GroupBy(p => VersionContract.Labels.VersionOf(p.Metadata?.Labels, Pool) ?? "none").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public static bool Ready(Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>
    /// Waits until exactly <paramref name="count"/> pods run, all ready, all on <paramref name="version"/>. On timeout the
    /// exception describes every pod, the pool's status and the operator's last log lines (a test failing here in CI
    /// must say why).
    /// </summary>
    public async Task WaitForPodsAsync(int count, string version, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var what = $"{count} ready pods on version {version}, none terminating";
        try
        {
            await SandboxCluster.WaitAsync(
                async () =>
                {
                    var all = await PodsAsync(includeTerminating: true, cancellationToken);
                    return all.Count == count && all.All(p => p.Metadata?.DeletionTimestamp is null && Ready(p) && VersionContract.Labels.VersionOf(p.Metadata?.Labels, Pool) == version);
                },
                timeout,
                what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{await DescribeStateAsync(cancellationToken)}", e);
        }
    }

    /// <summary>Every pod of the app (version, phase, readiness, containers), the pool's status and the operator's last 40 log lines.</summary>
    public async Task<string> DescribeStateAsync(CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        try
        {
            foreach (var pod in (await PodsAsync(includeTerminating: true, cancellationToken)).OrderBy(p => p.Metadata!.Name, StringComparer.Ordinal))
            {
                var containers = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []).Select(c =>
                    $"{c.Name}:{(c.State?.Running is not null ? "running" : c.State?.Terminated is { } t ? $"terminated({t.Reason} {t.ExitCode})" : $"waiting({c.State?.Waiting?.Reason})")}{(c.Started == true ? ",started" : "")}{(c.Ready ? ",ready" : "")},restarts {c.RestartCount}");
                text.Append(CultureInfo.InvariantCulture, $"pod {pod.Metadata!.Name}: version {VersionContract.Labels.VersionOf(pod.Metadata.Labels, Pool) ?? "none"}, {pod.Status?.Phase}, {(Ready(pod) ? "ready" : "not ready")}{(pod.Metadata.DeletionTimestamp is null ? "" : ", terminating")}, created {pod.Metadata.CreationTimestamp:HH:mm:ss}; {string.Join("; ", containers)}\n");
            }

            var status = (await GetPoolAsync(cancellationToken)).Status;
            text.Append(CultureInfo.InvariantCulture, $"pool {Pool}: current {status?.CurrentVersion}, pods per version {status?.PodsPerVersion}, observedGeneration {status?.ObservedGeneration}\n");
            foreach (var condition in status?.Conditions ?? [])
            {
                text.Append(CultureInfo.InvariantCulture, $"  {condition.Type}={condition.Status} {condition.Reason}: {condition.Message}\n");
            }
        }
        catch (Exception e) when (e is Kubernetes.Errors.KubernetesApiException or HttpRequestException or IOException)
        {
            text.Append(CultureInfo.InvariantCulture, $"(could not read the state: {e.Message})\n");
        }

        var log = cluster.OperatorLog();
        text.Append(CultureInfo.InvariantCulture, $"operator, last {log.Count} log lines:\n{string.Join('\n', log)}");
        return text.ToString();
    }

    public static string Describe(IReadOnlyDictionary<string, int> perVersion) =>
        perVersion.Count == 0 ? "no pods" : string.Join(" ", perVersion.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Key}:{v.Value}")));
}
