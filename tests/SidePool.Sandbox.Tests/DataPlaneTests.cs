using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Core;
using SidePool.Testing;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>
/// The data plane on the sandbox, as the operator and its webhook would set it up: the version Secret holds what the
/// operator publishes (<see cref="PoolVersionBuilder"/>), the pod is what the webhook admits (<see cref="InjectionBuilder"/>:
/// native sidecar, DATABASE_URL as a secretKeyRef, emptyDirs, probes, security context); the kubelet runs it with the
/// forwarder to the host PostgreSQL. The load generator's log is followed with <c>kubectl logs -f</c> through deletion.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class DataPlaneTests(SandboxFixture sandbox)
{
    private const string PoolName = "orders-db";
    private const string User = "orders_app";
    private const string Database = "orders";

    [Fact]
    public async Task The_injected_sidecar_serves_the_load_generator_from_the_host_postgres_and_deletion_stops_the_app_before_the_sidecar()
    {
        var ns = await sandbox.NamespaceAsync("dataplane");
        await sandbox.Postgres.CreateRoleAsync(User, "backend-secret");
        await sandbox.Postgres.CreateDatabaseAsync(Database, User);
        var settings = new InjectionOptions { SidecarMode = SidecarModes.Native, DefaultImage = "localhost/sidepool/sidecar:dev" };
        var spec = new ConnectionPoolSpec
        {
            Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "orders" } },
            Backend = new BackendSpec
            {
                Host = "postgres.sandbox.svc", // the pod's /etc/hosts: 127.0.0.1, the forwarder
                Port = sandbox.Postgres.Port,
                Database = Database,
                CredentialsSecret = new CredentialsSecretRef { Name = "orders-db-app" },
                Tls = new BackendTls { Mode = "disable" },
            },
            Sidecar = new SidecarSpec { ClientAuth = "scram" },
            Rollout = new RolloutSpec { DrainTimeout = "10s" },
        };
        var rendered = PoolVersionBuilder.Build(PoolName, spec, new PoolCredentials(User, "backend-secret"), new ClientCredentials(User, ClientCredentials.GeneratePassword()), new PoolKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), settings, SidecarModes.Native);
        var app = (JsonObject)JsonNode.Parse($$"""
            {
              "apiVersion": "v1", "kind": "Pod",
              "metadata": { "name": "orders-0", "namespace": "{{ns}}", "labels": { "app": "orders" } },
              "spec": {
                "terminationGracePeriodSeconds": 30,
                "containers": [{
                  "name": "app", "image": "localhost/sidepool/loadgen:dev",
                  "env": [{ "name": "WORKERS", "value": "2" }, { "name": "PAUSE_MS", "value": "10" }, { "name": "RECONNECT_EVERY", "value": "20" }],
                  "securityContext": { "runAsUser": 65532, "runAsGroup": 65532, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false, "capabilities": { "drop": ["ALL"] } }
                }]
              }
            }
            """)!;
        var injection = InjectionBuilder.Build(app, [new PoolInjection { Name = PoolName, Spec = spec, CreationTimestamp = DateTimeOffset.UtcNow, Rendered = rendered }], settings);
        var pod = JsonPatchApplier.Apply(app, injection.Patch);
        var versionSecret = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = $"{PoolName}-{rendered.ShortVersion}", ["namespace"] = ns },
            ["stringData"] = new JsonObject(rendered.Files.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)f.Value))),
        };
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);

        await sandbox.ApplyAsync(versionSecret.ToJsonString());
        await sandbox.ApplyAsync(pod.ToJsonString());
        var ready = await PodAssertions.WaitAsync(sandbox, ns, "orders-0", p => p is not null && PodAssertions.Ready(p), "the pod Ready (sidecar started, app running)", 90);
        var lines = new ConcurrentQueue<string>();
        using var follower = Follow(sandbox.Kubeconfig, ns, "orders-0", "app", lines);
        await Tools.EventuallyAsync(() => Task.FromResult(Load(lines)), l => l.Any(x => x.Kind == "stats" && x.Ok > 0), TimeSpan.FromSeconds(60), _ => Task.FromResult($"no committed transactions in the app's log:\n{string.Join('\n', lines)}\n{sandbox.Log}"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var deleted = Stopwatch.StartNew();
        var delete = await Tools.KubectlAsync(sandbox.Kubeconfig, "-n", ns, "delete", "pod", "orders-0", "--wait=false");
        var terminating = await PodAssertions.GetAsync(sandbox.Client, ns, "orders-0");
        await PodAssertions.WaitAsync(sandbox, ns, "orders-0", p => p is null, "the pod deleted by the kubelet", 60);
        var gone = deleted.Elapsed;
        await Task.WhenAny(follower.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(10)));

        // Start order: the sidecar first, the app only after the sidecar's startup probe passed.
        var sidecarName = ready!.Spec!.InitContainers!.Single().Name;
        var starts = await PodAssertions.EventsAsync(ns, "orders-0", "start", since);
        var deaths = await PodAssertions.EventsAsync(ns, "orders-0", "died", since, expected: 3);
        Assert.Equal([sidecarName, "app"], starts.Select(s => s.Container).Where(c => c != "sandbox-postgres-forwarder").ToArray());
        Assert.True(ready.Status!.InitContainerStatuses![0].Started);
        Assert.Equal(0, delete.ExitCode);
        Assert.NotNull(terminating?.Metadata?.DeletionTimestamp);
        Assert.Equal(30, terminating!.Metadata!.DeletionGracePeriodSeconds);

        // Termination order: the app (SIGTERM) exited before the sidecar got its SIGTERM; the forwarder last.
        Assert.Equal(["app", sidecarName, "sandbox-postgres-forwarder"], deaths.Select(d => d.Container).ToArray());
        Assert.True(gone < TimeSpan.FromSeconds(30), $"deletion took {gone}");

        // The app's log, followed through kubectl logs -f up to its last line: it stopped cleanly, nothing failed, and
        // PostgreSQL holds exactly what it committed through the sidecar and the forwarder.
        var load = Load(lines);
        var final = load[^1];
        Assert.True(final.Kind == "final", string.Join('\n', lines));
        Assert.True(final.Ok > 0 && final.Failed == 0, string.Join('\n', lines));
        Assert.Equal(final.Ok, await sandbox.Postgres.QueryScalarAsync<decimal>("SELECT sum(n) FROM sidepool_loadgen", Database));
        Assert.Contains(load, l => l.Text.Contains($"\"target\":\"postgresql://{User}@127.0.0.1:6432/{Database}\"", StringComparison.Ordinal));
    }

    private static Process Follow(string kubeconfig, string ns, string pod, string container, ConcurrentQueue<string> lines)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--kubeconfig", kubeconfig, "-n", ns, "logs", "-f", pod, "-c", container })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue("stderr: " + line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private sealed record LoadLine(string Kind, long Ok, long Failed, string Text);

    private static List<LoadLine> Load(IEnumerable<string> lines) =>
        [.. lines.Where(l => l.StartsWith('{')).Select(text =>
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
