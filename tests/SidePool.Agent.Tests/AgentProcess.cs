using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using SidePool.Core;
using SidePool.PgBouncer.Admin;
using SidePool.Testing;

namespace SidePool.Agent.Tests;

/// <summary>
/// The real <c>sidepool-agent</c> binary run as the service user on a Kubernetes-like mount, with its PgBouncer
/// child in front of a test backend.
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// SIDEPOOL_AGENT_BINARY runs the tests against another build of the agent: the Native AOT one, or a previous
    /// commit's to see a new test fail on the old behaviour (set SIDEPOOL_AGENT_WITHOUT_RUNTIME_DIR=1 for a build that
    /// predates <c>--runtime-dir</c>).
    /// </summary>
    private static readonly string? BinaryOverride = Environment.GetEnvironmentVariable("SIDEPOOL_AGENT_BINARY") is { Length: > 0 } ? Binaries.Agent : null;

    private static readonly bool WithoutRuntimeDirectory = Environment.GetEnvironmentVariable("SIDEPOOL_AGENT_WITHOUT_RUNTIME_DIR") == "1";

    public static string Binary => BinaryOverride ?? Path.Combine(AppContext.BaseDirectory, "sidepool-agent");

    private AgentProcess(TestDirectory directory, PoolMount mount, string socketDirectory, int listenPort, int httpPort, int backendPort, ManagedProcess process, RenderedPool rendered, string clientAuth)
    {
        ClientAuth = clientAuth;
        Directory = directory;
        Mount = mount;
        SocketDirectory = socketDirectory;
        ListenPort = listenPort;
        HttpPort = httpPort;
        BackendPort = backendPort;
        Process = process;
        Rendered = rendered;
    }

    public TestDirectory Directory { get; }

    public PoolMount Mount { get; }

    public string SocketDirectory { get; }

    public int ListenPort { get; }

    public int HttpPort { get; }

    public int BackendPort { get; }

    public ManagedProcess Process { get; }

    /// <summary>The agent's private copy of the configuration (<c>--runtime-dir</c>; created by the agent).</summary>
    public string RuntimeDirectory => Directory.PathOf("runtime");

    /// <summary>How applications authenticate to the sidecar (trust or scram).</summary>
    public string ClientAuth { get; }

    /// <summary>The client password in the last published files.</summary>
    public string ClientPassword { get; private set; } = PoolFiles.ClientPassword;

    /// <summary>The last files published to the mount.</summary>
    public RenderedPool Rendered { get; private set; }

    /// <summary>Wall time from starting the process until /healthz answered 200.</summary>
    public TimeSpan TimeToHealthy { get; private set; }

    /// <summary>How an application connects to its sidecar: the client user with the client password (never the backend password).</summary>
    public string AppConnectionString(string? applicationName = null, string? password = null, int? port = null) =>
        $"Host=127.0.0.1;Port={port ?? ListenPort};Database={TestBackend.Database};Username={TestBackend.User};Password={password ?? ClientPassword};Pooling=false;No Reset On Close=true;Max Auto Prepare=0;Timeout=10;Application Name={applicationName ?? "test"}";

    public PgBouncerAdminClient Admin() => new(AdminEndpoint.UnixSocket(SocketDirectory, ListenPort, "sidepool-agent", PoolFiles.Secrets.AdminPassword));

    public static async Task<AgentProcess> StartAsync(PostgresServer backend, string[]? extraArgs = null, int poolSize = 10, bool waitHealthy = true, IReadOnlyDictionary<string, string>? parameters = null, string clientAuth = "trust", int? maxConnections = null, string? acquisitionTimeout = null, string? pgBouncer = null)
    {
        var directory = new TestDirectory("agent");
        var mount = new PoolMount(directory);
        var socketDirectory = directory.CreateSubdirectory("run");
        var listenPort = FreePort.Next();
        var httpPort = FreePort.Next();
        var rendered = PoolFiles.Render(mount.Directory, socketDirectory, backend.Port, listenPort, TestBackend.Password, poolSize, parameters: parameters, clientAuth: clientAuth, maxConnections: maxConnections, acquisitionTimeout: acquisitionTimeout);
        mount.Publish(rendered.Files);

        var args = new List<string>
        {
            "--config-dir", mount.Directory,
            "--pgbouncer", pgBouncer ?? Binaries.PgBouncer,
            "--http-address", "127.0.0.1",
            "--http-port", httpPort.ToString(CultureInfo.InvariantCulture),
            "--config-poll", "1s",
        };
        if (!WithoutRuntimeDirectory)
        {
            args.AddRange(["--runtime-dir", directory.PathOf("runtime")]);
        }

        args.AddRange(extraArgs ?? []);
        var started = Stopwatch.GetTimestamp();
        var process = ManagedProcess.Start(Binary, args, new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" });
        var agent = new AgentProcess(directory, mount, socketDirectory, listenPort, httpPort, backend.Port, process, rendered, clientAuth);
        if (waitHealthy)
        {
            try
            {
                await agent.WaitForStatusAsync("/healthz", 200, TimeSpan.FromSeconds(20));
            }
            catch
            {
                await agent.DisposeAsync();
                throw;
            }

            agent.TimeToHealthy = Stopwatch.GetElapsedTime(started);
        }

        return agent;
    }

    /// <summary>Renders new files with the operator's renderer and swaps them in like the kubelet.</summary>
    public RenderedPool Publish(string backendPassword = TestBackend.Password, int poolSize = 10, int maxClientConnections = 100, int? listenPort = null, string? clientPassword = null, IReadOnlyDictionary<string, string>? parameters = null)
    {
        ClientPassword = clientPassword ?? ClientPassword;
        Rendered = PoolFiles.Render(Mount.Directory, SocketDirectory, BackendPort, listenPort ?? ListenPort, backendPassword, poolSize, maxClientConnections, parameters: parameters, clientPassword: ClientPassword, clientAuth: ClientAuth);
        Mount.Publish(Rendered.Files);
        return Rendered;
    }

    public void PublishRaw(IReadOnlyDictionary<string, string> files) => Mount.Publish(files);

    /// <summary>The value of one series in a fresh /metrics scrape (null when absent).</summary>
    public async Task<double?> MetricAsync(string series) => Sample((await GetAsync("/metrics")).Body, series);

    /// <summary>Polls /metrics until <paramref name="series"/> has <paramref name="value"/>.</summary>
    public async Task WaitForMetricAsync(string series, double value, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        double? last = null;
        while (DateTime.UtcNow < deadline && !Process.HasExited)
        {
            last = await MetricAsync(series);
            if (last == value)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{series} is {last?.ToString(CultureInfo.InvariantCulture) ?? "absent"}, expected {value} within {timeout}. Agent output:\n{Process.Output}");
    }

    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        try
        {
            using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}{path}"));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException e)
        {
            return (0, e.Message);
        }
    }

    public async Task<string> WaitForStatusAsync(string path, int status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = (Status: 0, Body: "");
        while (DateTime.UtcNow < deadline)
        {
            last = await GetAsync(path);
            if (last.Status == status)
            {
                return last.Body;
            }

            if (Process.HasExited)
            {
                break;
            }

            await Task.Delay(25);
        }

        throw new TimeoutException($"{path} did not answer {status} within {timeout} (last: {last.Status} {last.Body}). Agent output:\n{Process.Output}");
    }

    /// <summary>The value of one sample of the /metrics exposition (exact series text before the value).</summary>
    public static double? Sample(string exposition, string series)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>The PID of the PgBouncer child (from the agent's log).</summary>
    public async Task<int> PgBouncerPidAsync(int occurrence = 1)
    {
        var pids = new List<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            pids = [.. Process.Lines
                .Where(l => l.Contains("running (pid ", StringComparison.Ordinal))
                .Select(l => int.Parse(l.Split("(pid ")[1].Split(')')[0], CultureInfo.InvariantCulture))];
            if (pids.Count >= occurrence)
            {
                return pids[occurrence - 1];
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no pgbouncer pid #{occurrence} in the agent log:\n{Process.Output}");
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Directory.Dispose();
    }
}
