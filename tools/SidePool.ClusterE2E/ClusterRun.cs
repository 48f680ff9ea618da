using System.Diagnostics;
using System.Globalization;
using SidePool.Demo;
using SidePool.Demo.Cluster;

namespace SidePool.ClusterE2E;

/// <summary>What a run against a cluster is given.</summary>
internal sealed record ClusterRunOptions(string OutputDirectory, Images Images, string PostgresImage, TimeSpan Timeout);

/// <summary>
/// The end-to-end scenarios against any cluster (<c>make e2e-cluster</c>, and <c>make e2e-k3s</c> once k3s runs):
/// helm installs the chart, PostgreSQL is deployed in its own namespace, the demo's tour runs (a pool and a
/// 3-replica load generator, a reload in place, a password rotation, a restart-only change, scaling), then the app's
/// namespace is deleted, the chart uninstalled and what is left checked. One PASS/FAIL line per scenario; exit code 0
/// when all passed, 1 otherwise.
/// </summary>
internal sealed class ClusterRun(ClusterRunOptions options, TextWriter output)
{
    /// <summary>The namespace of the scenarios' app (ShopApp: its pool, Secret and Deployment).</summary>
    public const string AppName = "e2etour";

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task<int> RunAsync(RealCluster cluster, CancellationToken cancellationToken)
    {
        await RefuseLeftoversAsync(cluster, cancellationToken);
        var release = new ChartRelease(cluster, options.Images, options.OutputDirectory, options.Timeout);
        var checks = new List<Check>();
        try
        {
            Say($"helm install {ChartRelease.Name} (namespace {ChartRelease.Namespace}, operator {options.Images.Reference("operator")}, sidecar {options.Images.Reference("sidecar")})");
            await release.InstallAsync(cancellationToken);
            Say($"PostgreSQL ({options.PostgresImage}) in namespace {InClusterPostgres.Namespace}");
            await cluster.Postgres.DeployAsync(options.PostgresImage, options.OutputDirectory, cancellationToken);
            Say("the tour: a pool and a 3-replica load generator, reloads, a new version, scaling");
            var tour = await new DemoRun(options.OutputDirectory, output).RunAsync(cluster, new ShopApp(cluster, AppName, options.Images.Reference("loadgen")), cancellationToken);
            checks.AddRange(Check.FromTour(tour));
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException or HttpRequestException or Kubernetes.Errors.KubernetesApiException)
        {
            var diagnostics = await SaveDiagnosticsAsync(cluster);
            checks.Add(new Check("the scenarios ran", false, $"{OneLine(e.Message)} (the cluster's state then: {diagnostics})"));
        }
        finally
        {
            checks.Add(await CleanUpAsync(cluster, release, CancellationToken.None)); // whatever happened before
        }

        output.WriteLine();
        foreach (var check in checks)
        {
            output.WriteLine(check);
        }

        var passed = checks.Count(c => c.Passed);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"e2e: {passed} of {checks.Count} scenarios passed in {_clock.Elapsed.TotalSeconds:0} s (output: {options.OutputDirectory})"));
        return passed == checks.Count ? 0 : 1;
    }

    /// <summary>The runner creates its namespaces; one that exists is a previous run's (or someone's): not touched.</summary>
    private static async Task RefuseLeftoversAsync(RealCluster cluster, CancellationToken cancellationToken)
    {
        foreach (var name in new[] { ChartRelease.Namespace, InClusterPostgres.Namespace, AppName })
        {
            var found = await Tool.RunAsync("kubectl", ["--kubeconfig", cluster.Kubeconfig, "get", "namespace", name, "--ignore-not-found", "-o", "name"], cancellationToken: cancellationToken);
            if (found.Ok("kubectl get namespace").Trim().Length > 0)
            {
                throw new UsageException($"namespace {name} exists in the cluster of {cluster.Kubeconfig} (a previous run's?): delete it first");
            }
        }
    }

    /// <summary>
    /// The app's namespace first, while the operator runs (its pool's finalizer needs it), then helm uninstall and the
    /// release's namespace (helm leaves the one --create-namespace made), then PostgreSQL's; the verdict is whether a
    /// webhook configuration of the release is left, and whether every step of the clean-up worked.
    /// </summary>
    private async Task<Check> CleanUpAsync(RealCluster cluster, ChartRelease release, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        await Try(notes, "delete the app's namespace", () => cluster.KubectlAsync("delete", "namespace", AppName, "--ignore-not-found", "--timeout=180s"));
        Say($"helm uninstall {ChartRelease.Name}");
        await Try(notes, "helm uninstall", () => release.UninstallAsync(cancellationToken));
        await Try(notes, "delete the release's namespace", () => cluster.KubectlAsync("delete", "namespace", ChartRelease.Namespace, "--ignore-not-found", "--timeout=180s"));
        await Try(notes, "delete PostgreSQL's namespace", cluster.Postgres.DeleteAsync);
        var left = await release.WebhookConfigurationsAsync(cancellationToken);
        var passed = left.Count == 0 && notes.Count == 0;
        var detail = left.Count == 0 ? "no mutating webhook configuration calls the release's namespace" : $"left: {string.Join(", ", left.Select(w => w.Metadata.Name))}";
        return new Check(Check.Uninstall, passed, string.Join("; ", notes.Prepend(detail)));
    }

    /// <summary>
    /// What explains a failed run, written before the clean-up removes it: pods and events of every namespace, the
    /// pool, the operator's log. Each command's output or error; nothing here fails the run further.
    /// </summary>
    private async Task<string> SaveDiagnosticsAsync(RealCluster cluster)
    {
        var path = Path.Combine(options.OutputDirectory, "diagnostics.txt");
        string[][] commands =
        [
            ["get", "pods", "-A", "-o", "wide"],
            ["get", "events", "-A", "--sort-by=.lastTimestamp"],
            ["-n", AppName, "get", "pools", "-o", "yaml"],
            ["-n", AppName, "describe", "pods"],
            ["-n", ChartRelease.Namespace, "logs", $"deployment/{ChartRelease.Name}", "--all-containers", "--tail=300"],
        ];
        await using var file = File.CreateText(path);
        foreach (var command in commands)
        {
            var result = await Tool.RunAsync("kubectl", ["--kubeconfig", cluster.Kubeconfig, "--request-timeout=20s", .. command]);
            await file.WriteLineAsync($"$ kubectl {string.Join(' ', command)} (exit {result.ExitCode})\n{result.Stdout}{result.Stderr}");
        }

        return path;
    }

    private static async Task Try(List<string> notes, string what, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
            notes.Add($"{what}: {OneLine(e.Message)}");
        }
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private void Say(string message) => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,5:0}s] {message}"));
}
