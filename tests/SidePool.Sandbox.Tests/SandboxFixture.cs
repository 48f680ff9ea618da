using System.Diagnostics;
using System.Globalization;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Testing;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>
/// One sandbox for the collection, as the demo runs it: a PostgreSQL host process (passwords over its socket too) and
/// <c>sidepool-sandbox up</c> with the forwarder, short crash back-offs, RBAC on; the images built (cached) by images/build.sh.
/// Each test uses its own namespace.
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private ManagedProcess? _sandbox;

    public TestDirectory State { get; } = new("sandbox-tests");

    public PostgresServer Postgres { get; private set; } = null!;

    public string Kubeconfig => State.PathOf("kubeconfig");

    public KubernetesClient Client { get; private set; } = null!;

    public ManagedProcess Sandbox => _sandbox!;

    public TimeSpan StartupTime { get; private set; }

    public async Task InitializeAsync()
    {
        Assert.True(ServiceUser.IsRoot, "the sandbox runs rootful podman: run these tests as root (as CI does)");
        var build = await Tools.RunAsync(SourceTree.PathOf("images", "build.sh"), [], new Dictionary<string, string> { ["CONTAINERS_CONF"] = Tools.ContainersConf }, TimeSpan.FromMinutes(15)); // from scratch: minutes
        Assert.True(build.ExitCode == 0, $"images/build.sh failed:\n{build.Stdout}\n{build.Stderr}");
        Postgres = await PostgresServer.StartAsync(new PostgresOptions { PasswordsOverSocket = true });
        var clock = Stopwatch.StartNew();
        _sandbox = ManagedProcess.Start(
            Binaries.Sandbox,
            [
                "up", "--state-dir", State.FullPath,
                "--postgres-socket-dir", Postgres.SocketDirectory, "--postgres-port", Postgres.Port.ToString(CultureInfo.InvariantCulture),
                "--crash-backoff", "1", "--crash-backoff-max", "4", "--rbac",
            ],
            asServiceUser: false);
        await _sandbox.WaitForLineAsync(l => l.StartsWith("ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        StartupTime = clock.Elapsed;
        Client = await KubernetesClient.CreateDefaultAsync(new KubeConfigLoadOptions { ExplicitPath = Kubeconfig });
    }

    public async Task DisposeAsync()
    {
        if (_sandbox is { } sandbox)
        {
            sandbox.Signal(PosixSignalNumber.Term);
            await sandbox.WaitForExitAsync(TimeSpan.FromSeconds(60));
            await sandbox.DisposeAsync();
            await Tools.RunAsync(Binaries.Sandbox, ["down", "--state-dir", State.FullPath]);
        }

        Client?.Dispose();
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }

        State.Dispose();
    }

    /// <summary>Creates a namespace for one test.</summary>
    public async Task<string> NamespaceAsync(string name)
    {
        var result = await Tools.KubectlAsync(Kubeconfig, "create", "namespace", name);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return name;
    }

    /// <summary>kubectl apply -f of <paramref name="yaml"/>.</summary>
    public async Task ApplyAsync(string yaml)
    {
        var file = State.WriteFile($"manifest-{Guid.NewGuid():N}.yaml", yaml);
        var result = await Tools.KubectlAsync(Kubeconfig, "apply", "-f", file);
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    /// <summary>What the sandbox logged so far (for failure messages).</summary>
    public string Log => _sandbox?.Output ?? string.Empty;
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox";
}
