using System.Diagnostics;
using System.Globalization;
using SidePool.Api;
using SidePool.Crd;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Testing;

namespace SidePool.Demo.Cluster;

/// <summary>
/// Everything the demo and the end-to-end tests run on, all on this machine: a PostgreSQL server (a host process),
/// the sandbox cluster (<c>sidepool-sandbox up</c>: the fake API server over HTTPS, its controllers, and a kubelet
/// running pods with podman; pods reach PostgreSQL through a loopback forwarder in each pod), the CRD, and the
/// operator as a host process with the sandbox's kubeconfig, its webhook registered as the API server calls it.
/// </summary>
internal sealed class SandboxCluster : IAppCluster, IAsyncDisposable
{
    public const string OperatorNamespace = "sidepool-system";
    public const string WebhookConfiguration = "sidepool-operator";
    public const string DatabaseHost = "postgres.sandbox.svc";
    public const string SidecarImage = "localhost/sidepool/sidecar:dev";

    private readonly TestDirectory _state;
    private readonly Action<string> _log;
    private ManagedProcess? _sandbox;
    private ManagedProcess? _operator;

    private SandboxCluster(TestDirectory state, PostgresServer postgres, Action<string> log)
    {
        _state = state;
        Postgres = postgres;
        _log = log;
        Kubeconfig = state.PathOf("kubeconfig");
        Database = new HostDatabase(postgres);
    }

    public PostgresServer Postgres { get; }

    /// <summary>The same server as <see cref="Postgres"/>, as pods reach it (<see cref="DatabaseHost"/>).</summary>
    public IAppDatabase Database { get; }

    public string Kubeconfig { get; }

    public KubernetesClient Client { get; private set; } = null!;

    public int WebhookPort { get; } = FreePort.Next();

    public int OperatorMetricsPort { get; } = FreePort.Next();

    public ManagedProcess Operator => _operator ?? throw new InvalidOperationException("the operator is not running");

    /// <summary>The running operator's last <paramref name="count"/> log lines (none while it is not running).</summary>
    public IReadOnlyList<string> OperatorLog(int count = 40) => _operator is { } process ? [.. process.Lines.TakeLast(count)] : [];

    /// <summary>Every log line of the sandbox process (the fake API server, its controllers, the kubelet) so far.</summary>
    public IReadOnlyList<string> SandboxLog() => _sandbox?.Lines ?? [];

    public static async Task<SandboxCluster> StartAsync(Action<string> log, CancellationToken cancellationToken)
    {
        var state = new TestDirectory("sandbox");
        var postgres = await PostgresServer.StartAsync(new PostgresOptions { PasswordsOverSocket = true }, cancellationToken);
        var cluster = new SandboxCluster(state, postgres, log);
        try
        {
            log($"PostgreSQL {postgres.Port} (socket {postgres.SocketDirectory})");
            await cluster.StartSandboxAsync(cancellationToken);
            await cluster.InstallAsync(cancellationToken);
            await cluster.StartOperatorAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the operator (SIGKILL: as a crashed or evicted process would stop).</summary>
    public async Task KillOperatorAsync()
    {
        if (_operator is { } process)
        {
            process.Signal(PosixSignalNumber.Kill);
            await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await process.DisposeAsync();
            _operator = null;
        }
    }

    /// <summary>Starts the operator (again).</summary>
    public async Task StartOperatorAsync(CancellationToken cancellationToken)
    {
        _operator = ManagedProcess.Start(
            Binaries.Operator,
            [
                "--kubeconfig", Kubeconfig,
                "--operator-namespace", OperatorNamespace,
                "--webhook-port", WebhookPort.ToString(CultureInfo.InvariantCulture),
                "--metrics-port", OperatorMetricsPort.ToString(CultureInfo.InvariantCulture),
                "--default-image", SidecarImage,
            ],
            asServiceUser: false);
        await WaitAsync(
            async () => (await Client.Resource(KubernetesResources.MutatingWebhookConfigurations).GetAsync(WebhookConfiguration, cancellationToken: cancellationToken)).Webhooks![0].ClientConfig.CaBundle is { Length: > 0 },
            TimeSpan.FromSeconds(60),
            "the operator's webhook certificate in the caBundle",
            () => _operator.HasExited ? $"the operator exited:\n{_operator.Output}" : null);
        _log($"operator running (webhook 127.0.0.1:{WebhookPort}, metrics 127.0.0.1:{OperatorMetricsPort})");
    }

    /// <summary>Runs kubectl against the sandbox; returns stdout (throws with stderr on failure).</summary>
    public async Task<string> KubectlAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(Kubeconfig);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"kubectl {string.Join(' ', arguments)}: {await stderr}");
    }

    /// <summary>Polls until <paramref name="done"/>; <paramref name="why"/> explains a fatal state early.</summary>
    public static async Task WaitAsync(Func<Task<bool>> done, TimeSpan timeout, string what, Func<string?>? why = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (why?.Invoke() is { } fatal)
            {
                throw new InvalidOperationException($"{what}: {fatal}");
            }

            try
            {
                if (await done())
                {
                    return;
                }
            }
            catch (Exception e) when (e is Kubernetes.Errors.KubernetesApiException or HttpRequestException or IOException)
            {
                last = e;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"not reached within {timeout.TotalSeconds:0} s: {what}{(last is null ? "" : $" (last error: {last.Message})")}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_operator is { } op)
        {
            op.Signal(PosixSignalNumber.Term);
            await op.WaitForExitAsync(TimeSpan.FromSeconds(10));
            await op.DisposeAsync();
        }

        if (_sandbox is { } sandbox)
        {
            sandbox.Signal(PosixSignalNumber.Term); // terminates every pod it runs, gracefully
            if (!await sandbox.WaitForExitAsync(TimeSpan.FromSeconds(90)))
            {
                _log("the sandbox did not stop in time: sidepool-sandbox down");
            }

            await sandbox.DisposeAsync();
            await RunAsync(Binaries.Sandbox, ["down", "--state-dir", _state.FullPath]);
        }

        Client?.Dispose();
        await Postgres.DisposeAsync();
        _state.Dispose();
    }

    private async Task StartSandboxAsync(CancellationToken cancellationToken)
    {
        _sandbox = ManagedProcess.Start(
            Binaries.Sandbox,
            [
                "up",
                "--state-dir", _state.FullPath,
                "--postgres-socket-dir", Postgres.SocketDirectory,
                "--postgres-port", Postgres.Port.ToString(CultureInfo.InvariantCulture),
                "--service", $"{OperatorNamespace}/sidepool-webhook=127.0.0.1:{WebhookPort}",
                "--crash-backoff", "1",
                "--crash-backoff-max", "8",
            ],
            asServiceUser: false);
        var ready = await _sandbox.WaitForLineAsync(l => l.StartsWith("ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        _log($"sandbox {ready}");
        Client = await KubernetesClient.CreateDefaultAsync(new KubeConfigLoadOptions { ExplicitPath = Kubeconfig }, cancellationToken: cancellationToken);
    }

    private async Task InstallAsync(CancellationToken cancellationToken)
    {
        // The CRD as kubectl apply would create it, the operator's namespace and its webhook registration (the
        // chart's job in a real cluster).
        await KubectlAsync("apply", "-f", _state.WriteFile("crd.json", CrdBuilder.Build().ToJsonString()));

        await KubectlAsync("create", "namespace", OperatorNamespace);
        await Client.Resource(KubernetesResources.MutatingWebhookConfigurations).CreateAsync(new MutatingWebhookConfiguration
        {
            Metadata = new ObjectMeta { Name = WebhookConfiguration },
            Webhooks =
            [
                new MutatingWebhook
                {
                    Name = "pods.sidepool.dev",
                    ClientConfig = new WebhookClientConfig { Service = new ServiceReference { NamespaceProperty = OperatorNamespace, Name = "sidepool-webhook", Path = "/mutate-pods", Port = 443 } },
                    SideEffects = "NoneOnDryRun",
                    AdmissionReviewVersions = ["v1"],
                    Rules = [new RuleWithOperations { Operations = ["CREATE"], ApiGroups = [""], ApiVersions = ["v1"], Resources = ["pods"] }],
                    FailurePolicy = "Ignore",
                    TimeoutSeconds = 5,
                },
            ],
        }, cancellationToken: cancellationToken);
        _log($"CRD {Naming.Plural}.{Naming.Group}, namespace {OperatorNamespace}, MutatingWebhookConfiguration {WebhookConfiguration}");
    }

    /// <summary>The host PostgreSQL as the sandbox's pods reach it: through each pod's forwarder, at <see cref="DatabaseHost"/>.</summary>
    private sealed class HostDatabase(PostgresServer postgres) : IAppDatabase
    {
        public string Host => DatabaseHost;

        public int Port => postgres.Port;

        public Task CreateRoleAsync(string name, string password, CancellationToken cancellationToken = default) => postgres.CreateRoleAsync(name, password, cancellationToken);

        public Task CreateDatabaseAsync(string name, string owner, CancellationToken cancellationToken = default) => postgres.CreateDatabaseAsync(name, owner, cancellationToken);

        public Task ExecuteAsync(string sql, CancellationToken cancellationToken = default) => postgres.ExecuteAsync(sql, cancellationToken);

        public async Task<long> CountAsync(string sql, CancellationToken cancellationToken = default) =>
            await postgres.QueryScalarAsync<long>(sql, cancellationToken: cancellationToken);
    }

    private static async Task RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
    }
}
