using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SidePool.Testing;
using Xunit;

namespace SidePool.E2E;

/// <summary>
/// The README's install section, step by step, on a sandbox cluster of its own with real pods: the chart installed with
/// helm runs the operator AS A POD (its ServiceAccount and RBAC enforced, its token and CA mounted, the API server
/// reached at KUBERNETES_SERVICE_HOST), the API server calls its webhook through the chart's Service (resolved to the
/// ready operator pods' IPs); the sample pool and a Deployment get sidecars; kubectl get pools and kubectl sidepool
/// status show them; helm upgrade rolls the operator; helm uninstall leaves no webhook that blocks pod creation.
/// Differences from the README, because the sandbox has no registry and no cluster DNS: the images are the local
/// <c>localhost/sidepool/*:dev</c> builds (<c>--set image.repository/image.tag/sidecar.image</c>), the sample's backend
/// host is the sandbox's PostgreSQL alias, the Deployment runs the load generator, and the upgrade uses helm's client-side
/// apply (the fake API server's server-side apply has no associative lists; see docs/fake-api-server.md).
/// </summary>
[Collection(Name)]
public sealed partial class HelmInstallTests : IAsyncLifetime
{
    public const string Name = "helm-install";
    private const string System = "sidepool-system";
    private const string Shop = "shop";
    private readonly TestDirectory _state = new("helm-install");
    private readonly List<string> _steps = [];
    private PostgresServer? _postgres;
    private ManagedProcess? _sandbox;

    private string Kubeconfig => _state.PathOf("kubeconfig");

    public async Task InitializeAsync()
    {
        // images/build.sh with this process's environment (dotnet's caches included); cached: seconds when nothing changed
        var info = new ProcessStartInfo(SourceTree.PathOf("images", "build.sh")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["CONTAINERS_CONF"] = SourceTree.PathOf("images", "containers.conf");
        using (var build = Process.Start(info)!)
        {
            var stdout = build.StandardOutput.ReadToEndAsync();
            var stderr = build.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(20));
            await build.WaitForExitAsync(limit.Token);
            Assert.True(build.ExitCode == 0, $"images/build.sh failed:\n{await stdout}\n{await stderr}");
        }

        _postgres = await PostgresServer.StartAsync(new PostgresOptions { PasswordsOverSocket = true });
        _sandbox = ManagedProcess.Start(
            Binaries.Sandbox,
            [
                "up", "--state-dir", _state.FullPath, "--rbac", "--pod-subnet", "127.2.0.0/16",
                "--postgres-socket-dir", _postgres.SocketDirectory, "--postgres-port", _postgres.Port.ToString(CultureInfo.InvariantCulture),
                "--crash-backoff", "1", "--crash-backoff-max", "8",
            ],
            new Dictionary<string, string> { ["CONTAINERS_CONF"] = SourceTree.PathOf("images", "containers.conf") },
            asServiceUser: false);
        await _sandbox.WaitForLineAsync(l => l.StartsWith("ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        if (_sandbox is { } sandbox)
        {
            sandbox.Signal(PosixSignalNumber.Term);
            await sandbox.WaitForExitAsync(TimeSpan.FromSeconds(90));
            await sandbox.DisposeAsync();
            await ProgramRun.RunAsync(Binaries.Sandbox, ["down", "--state-dir", _state.FullPath], _state.FullPath, new Dictionary<string, string> { ["CONTAINERS_CONF"] = SourceTree.PathOf("images", "containers.conf") });
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        _state.Dispose();
    }

    [Fact]
    public async Task The_README_install_section_works_with_the_operator_as_a_pod_through_upgrade_and_uninstall()
    {
        const string password = "orders-secret-1";
        await _postgres!.CreateRoleAsync("orders_app", password);
        await _postgres.CreateDatabaseAsync("orders", "orders_app");
        using var helm = new Helm(Kubeconfig);
        string[] images = ["--set", "image.repository=localhost/sidepool/operator", "--set", "image.tag=dev", "--set", "sidecar.image=localhost/sidepool/sidecar:dev"];

        // helm install sidepool charts/sidepool --namespace sidepool-system --create-namespace
        await helm.RunOkAsync(["install", "sidepool", Helm.ChartDirectory, "--namespace", System, "--create-namespace", .. images]);
        // kubectl -n sidepool-system rollout status deployment/sidepool
        await KubectlOkAsync("-n", System, "rollout", "status", "deployment/sidepool", "--timeout=180s");
        var firstOperators = await ReadyPodsAsync(System, "app.kubernetes.io/name=sidepool");
        var caBundle = await WaitAsync(WebhookCaBundleAsync, ca => ca.Length > 0, "the operator's caBundle in the webhook configuration");

        // kubectl create namespace shop; the credentials Secret; the sample pool (backend: the sandbox's PostgreSQL)
        await KubectlOkAsync("create", "namespace", Shop);
        await KubectlOkAsync("-n", Shop, "create", "secret", "generic", "orders-db-app", "--from-literal=username=orders_app", $"--from-literal=password={password}");
        var sample = (await File.ReadAllTextAsync(SourceTree.PathOf("config", "samples", "minimal.yaml")))
            .Replace("host: orders-pg-rw.db.svc", $"host: postgres.sandbox.svc\n    port: {_postgres.Port}", StringComparison.Ordinal);
        await KubectlOkAsync("apply", "-f", _state.WriteFile("minimal.yaml", sample));
        await KubectlOkAsync("wait", "--for=jsonpath={.status.currentVersion}", "pool/orders-db", "-n", Shop, "--timeout=120s");

        // kubectl -n shop create deployment orders --image=… --replicas=2
        await KubectlOkAsync("-n", Shop, "create", "deployment", "orders", "--image=localhost/sidepool/loadgen:dev", "--replicas=2");
        var appPods = await WaitAsync(() => ReadyPodsAsync(Shop, "app=orders"), names => names.Count == 2, "both app pods Ready");
        var sidecars = await KubectlOkAsync("-n", Shop, "get", "pods", "-l", "app=orders", "-o", "jsonpath={range .items[*]}{.metadata.name}: {.spec.initContainers[*].image}{\"\\n\"}{end}");
        var committed = await WaitAsync(() => CommittedAsync(appPods[0]), ok => ok > 0, "the app committing through its sidecar");
        var pools = await WaitAsync(() => KubectlOkAsync("get", "pools", "-n", Shop), text => Regex.IsMatch(text, @"orders-db\s.*\b2\b.*True"), "kubectl get pools: 2 pods, Ready True");
        var status = await KubectlOkAsync(["sidepool", "status", "orders-db", "-n", Shop]);

        // helm upgrade with a value that rolls the operator; the pool keeps working (a new app pod gets its sidecar)
        // --server-side=false: the fake API server's server-side apply treats lists as atomic, so helm 4's apply of
        // `webhooks` would conflict with the operator's caBundle patch (a real API server merges that list by name).
        await helm.RunOkAsync(["upgrade", "sidepool", Helm.ChartDirectory, "--namespace", System, "--reuse-values", "--set", "logLevel=debug", "--server-side=false"]);
        var secondOperators = await WaitAsync(
            () => ReadyPodsAsync(System, "app.kubernetes.io/name=sidepool"),
            names => names.Count == 2 && !names.Intersect(firstOperators).Any(),
            "two new operator pods Ready");
        await KubectlOkAsync("-n", Shop, "scale", "deployment", "orders", "--replicas=3");
        var scaled = await WaitAsync(() => ReadyPodsAsync(Shop, "app=orders"), names => names.Count == 3, "three app pods Ready after the upgrade");
        var newPod = scaled.Except(appPods).Single();
        var newPodImages = await KubectlOkAsync("-n", Shop, "get", "pod", newPod, "-o", "jsonpath={.spec.initContainers[*].image}");

        // helm uninstall: no webhook configuration left; a new pod is created, not blocked
        await helm.RunOkAsync("uninstall", "sidepool", "--namespace", System, "--wait");
        var webhooks = await KubectlOkAsync("get", "mutatingwebhookconfigurations", "-o", "name");
        var created = await KubectlAsync("-n", Shop, "run", "after-uninstall", "--image=localhost/sidepool/forwarder:dev", "--labels=app=after", "--", "-V");
        var plain = await KubectlOkAsync("-n", Shop, "get", "pod", "after-uninstall", "-o", "jsonpath={.spec.initContainers[*].image}");

        Assert.Equal(2, firstOperators.Count);
        Assert.True(caBundle.Length > 100, caBundle);
        Assert.All(sidecars.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Contains("localhost/sidepool/sidecar:dev", line, StringComparison.Ordinal));
        Assert.True(committed > 0);
        Assert.Contains("orders-db", pools, StringComparison.Ordinal);
        Assert.Contains("orders-db", status, StringComparison.Ordinal);
        Assert.All(appPods, pod => Assert.Contains(pod, status, StringComparison.Ordinal));
        Assert.Equal(2, secondOperators.Count);
        Assert.Contains("localhost/sidepool/sidecar:dev", newPodImages, StringComparison.Ordinal);
        Assert.Equal(string.Empty, webhooks.Trim());
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(string.Empty, plain.Trim());
    }

    private async Task<ProgramResult> KubectlAsync(params string[] args)
    {
        var path = $"{Path.GetDirectoryName(Binaries.KubectlSidepool)}:/usr/local/bin:/usr/bin:/bin";
        var result = await ProgramRun.RunAsync("kubectl", args, _state.FullPath, new Dictionary<string, string> { ["PATH"] = path, ["KUBECONFIG"] = Kubeconfig }, TimeSpan.FromSeconds(240));
        _steps.Add($"kubectl {string.Join(' ', args)} → {result.ExitCode}");
        return result;
    }

    private async Task<string> KubectlOkAsync(params string[] args)
    {
        var result = await KubectlAsync(args);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', args)}: {result}");
        return result.Stdout;
    }

    private async Task<List<string>> ReadyPodsAsync(string ns, string selector)
    {
        var result = await KubectlAsync("-n", ns, "get", "pods", "-l", selector, "-o", "json");
        if (result.ExitCode != 0)
        {
            return [];
        }

        return (JsonNode.Parse(result.Stdout)!["items"] as JsonArray ?? [])
            .Where(p => p!["metadata"]!["deletionTimestamp"] is null && (p["status"]?["conditions"] as JsonArray ?? []).Any(c => c!["type"]!.GetValue<string>() == "Ready" && c["status"]!.GetValue<string>() == "True"))
            .Select(p => p!["metadata"]!["name"]!.GetValue<string>())
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private async Task<string> WebhookCaBundleAsync()
    {
        var result = await KubectlAsync("get", "mutatingwebhookconfigurations", "-o", "jsonpath={.items[*].webhooks[0].clientConfig.caBundle}");
        return result.ExitCode == 0 ? result.Stdout.Trim() : string.Empty;
    }

    /// <summary>The load generator's last cumulative count of committed transactions (its <c>stats</c> lines).</summary>
    private async Task<long> CommittedAsync(string pod)
    {
        var result = await KubectlAsync("-n", Shop, "logs", pod, "-c", "loadgen");
        var counts = StatsOk().Matches(result.Stdout).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        return counts.Count == 0 ? 0 : counts[^1];
    }

    private async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        T last;
        do
        {
            last = await read();
            if (done(last))
            {
                return last;
            }

            await Task.Delay(500);
        }
        while (clock.Elapsed < TimeSpan.FromMinutes(3));

        var pods = await KubectlAsync("get", "pods", "-A", "-o", "wide");
        throw new TimeoutException($"not reached in 3 minutes: {what}; last: {last}\n{pods.Stdout}\n--- steps ---\n{string.Join('\n', _steps.TakeLast(15))}\n--- sandbox ---\n{string.Join('\n', _sandbox!.Output.Split('\n').TakeLast(60))}");
    }

    [GeneratedRegex("\"kind\":\"stats\".*?\"ok\":(\\d+)")]
    private static partial Regex StatsOk();
}

[CollectionDefinition(HelmInstallTests.Name)]
public sealed class HelmInstallCollection
{
}
