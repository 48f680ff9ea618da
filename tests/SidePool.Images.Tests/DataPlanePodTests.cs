using System.Text.Json;
using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Testing;
using Xunit;

namespace SidePool.Images.Tests;

/// <summary>
/// The data plane as the sandbox runs it, in one podman pod with only loopback: the forwarder (the sandbox's own
/// container) on 127.0.0.1:5432 to the host PostgreSQL's bind-mounted socket, the sidecar exactly as the webhook
/// injects it (container, args, env, security context and volumes from <see cref="InjectionBuilder"/>'s patch; its
/// Secret volume holds the files <c>kubectl-sidepool render</c> and the operator produce, via
/// <see cref="PoolVersionBuilder"/>), and the load generator as the app container with the DATABASE_URL the webhook
/// gave it.
/// </summary>
[Collection(ImagesCollection.Name)]
public sealed class DataPlanePodTests(ImagesFixture images)
{
    private const string PoolName = "orders-db";
    private const string User = "orders_app";
    private const string Database = "orders";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static ConnectionPoolSpec Spec() => new()
    {
        Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "orders" } },
        Backend = new BackendSpec
        {
            Host = "127.0.0.1", // the forwarder, in the pod
            Port = 5432,
            Database = Database,
            CredentialsSecret = new CredentialsSecretRef { Name = "orders-db-app" },
            Tls = new BackendTls { Mode = "disable" },
        },
        Sidecar = new SidecarSpec { Port = 6432, ClientAuth = "scram" },
        Rollout = new RolloutSpec { DrainTimeout = "10s" },
    };

    private static JsonObject AppPod() => (JsonObject)JsonNode.Parse($$"""
        {
          "apiVersion": "v1",
          "kind": "Pod",
          "metadata": { "name": "orders-0", "namespace": "shop", "labels": { "app": "orders" } },
          "spec": {
            "containers": [{
              "name": "app",
              "image": "{{ImageNames.Reference(ImageNames.LoadGen)}}",
              "env": [
                { "name": "WORKERS", "value": "2" },
                { "name": "PAUSE_MS", "value": "10" },
                { "name": "RECONNECT_EVERY", "value": "20" }
              ],
              "securityContext": {
                "runAsUser": 65532, "runAsGroup": 65532, "readOnlyRootFilesystem": true,
                "allowPrivilegeEscalation": false, "capabilities": { "drop": ["ALL"] }
              }
            }]
          }
        }
        """)!;

    [Fact]
    public async Task TheInjectedSidecarServesTheLoadGeneratorThroughTheForwarderFromTheHostsPostgres()
    {
        images.EnsureBuilt();
        await using var postgres = await PostgresServer.StartAsync();
        await postgres.CreateRoleAsync(User, "backend-secret");
        await postgres.CreateDatabaseAsync(Database, User);

        // The version the operator would publish, and the pod the webhook would admit.
        var settings = new InjectionOptions { SidecarMode = SidecarModes.Native, DefaultImage = ImageNames.Reference(ImageNames.Sidecar) };
        var spec = Spec();
        var rendered = PoolVersionBuilder.Build(PoolName, spec, new PoolCredentials(User, "backend-secret"), new ClientCredentials(User, ClientCredentials.GeneratePassword()), new PoolKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), settings, SidecarModes.Native);
        var injection = InjectionBuilder.Build(AppPod(), [new PoolInjection { Name = PoolName, Spec = spec, CreationTimestamp = DateTimeOffset.UtcNow, Rendered = rendered }], settings);
        var pod = JsonPatchApplier.Apply(AppPod(), injection.Patch);
        var volumes = pod["spec"]!["volumes"]!.AsArray();
        var sidecar = pod["spec"]!["initContainers"]!.AsArray().Single()!.AsObject();
        var app = pod["spec"]!["containers"]!.AsArray().Single()!.AsObject();
        Assert.Equal(ImageNames.Reference(ImageNames.Sidecar), sidecar["image"]!.GetValue<string>());

        // Volumes as the kubelet makes them: the version Secret (..data symlinks, files 0444), emptyDirs shared by the pod.
        using var directory = new TestDirectory("imgpod");
        var versionSecret = $"{PoolName}-{rendered.ShortVersion}";
        var secretMount = new PoolMount(directory, "secret");
        secretMount.Publish(rendered.Files);
        string SecretDirectory(string name) => name == versionSecret ? secretMount.Directory : throw new InvalidOperationException($"unexpected Secret {name}");
        string SecretValue(string name, string key) => name == versionSecret ? rendered.Files[key] : throw new InvalidOperationException($"unexpected Secret {name}");
        string EmptyDir(string volume)
        {
            var path = directory.CreateSubdirectory("empty-" + volume);
            File.SetUnixFileMode(path, (UnixFileMode)0x1FF); // emptyDir: 0777
            return path;
        }

        await using var podman = await PodmanPod.CreateAsync();
        await podman.StartAsync(
            "forwarder",
            ImageNames.Reference(ImageNames.Forwarder),
            ["--read-only", "--read-only-tmpfs=false", "--user", "65532:65532", "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--volume", $"{postgres.SocketDirectory}:/run/postgresql:ro"],
            ForwarderImageTests.Command(postgres.Port));

        // Native sidecar: it starts first, and the app only once its startup probe passes.
        var (sidecarImage, sidecarOptions, sidecarArguments) = PodSpecContainer.ToPodman(sidecar, volumes, SecretDirectory, SecretValue, EmptyDir);
        await podman.StartAsync("sidecar", sidecarImage, sidecarOptions, sidecarArguments);
        var agentPort = sidecar["startupProbe"]!["httpGet"]!["port"]!.GetValue<int>();
        async Task<string> SidecarLogs() => await podman.LogsAsync("sidecar");
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            var path = sidecar[probe]!["httpGet"]!["path"]!.GetValue<string>();
            await PodmanPod.WaitUntilAsync(async () => (await podman.HttpGetAsync(agentPort, path)).Status == 200, Patience, async () => $"{probe} {path}: {await podman.HttpGetAsync(agentPort, path)}\n{await SidecarLogs()}");
        }

        // An app's query through the sidecar, with the client password of the DATABASE_URL the app got.
        var databaseUrl = SecretValue(versionSecret, VersionContract.Files.DatabaseUrl);
        var urlReference = app["env"]!.AsArray().Single(e => e!["name"]!.GetValue<string>() == "DATABASE_URL")!["valueFrom"]!["secretKeyRef"]!;
        Assert.Equal((versionSecret, VersionContract.Files.DatabaseUrl), (urlReference["name"]!.GetValue<string>(), urlReference["key"]!.GetValue<string>()));
        var query = await podman.InNetworkAsync("psql", databaseUrl, "-X", "-A", "-t", "-c", "select current_user || '@' || current_database()");
        Assert.True(query.ExitCode == 0, $"{query}\n{await SidecarLogs()}");
        Assert.Equal($"{User}@{Database}", query.Stdout.Trim());

        // The app: the load generator with the env the webhook injected.
        var (appImage, appOptions, appArguments) = PodSpecContainer.ToPodman(app, volumes, SecretDirectory, SecretValue, EmptyDir);
        await podman.StartAsync("app", appImage, appOptions, appArguments);
        await PodmanPod.WaitUntilAsync(async () => LoadLines(await podman.LogsAsync("app")).Any(l => l.Kind == "stats" && l.Ok > 0), Patience, () => podman.LogsAsync("app"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(0, await podman.StopAsync("app", 15)); // SIGTERM, as the kubelet stops the app first
        var lines = LoadLines(await podman.LogsAsync("app"));
        var final = lines[^1];
        Assert.True(final.Kind == "final", string.Join('\n', lines));
        Assert.True(final.Ok > 0 && final.Failed == 0, string.Join('\n', lines.Select(l => l.Text)));
        Assert.Equal(final.Ok, await postgres.QueryScalarAsync<decimal>("SELECT sum(n) FROM sidepool_loadgen", Database));

        // The sidecar saw it: the backend check passed and PgBouncer counted the transactions.
        var (_, metrics) = await podman.HttpGetAsync(agentPort, "/metrics");
        Assert.Contains("\nsidepool_backend_up 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\npgbouncer_up 1\n", metrics, StringComparison.Ordinal);

        // Then the sidecar gets its SIGTERM: it drains and exits 0 (PID 1 of its container).
        Assert.Equal(0, await podman.StopAsync("sidecar", 20));
        var logs = await SidecarLogs();
        Assert.Contains("exiting with code 0", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("backend-secret", logs, StringComparison.Ordinal);
    }

    private sealed record LoadLine(string Kind, long Ok, long Failed, string Text);

    private static List<LoadLine> LoadLines(string logs) =>
        [.. logs.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(text =>
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            return new LoadLine(
                root.GetProperty("kind").GetString()!,
                root.TryGetProperty("ok", out var ok) ? ok.GetInt64() : 0,
                root.TryGetProperty("failed", out var failed) ? failed.GetInt64() : 0,
                text);
        })];
}
