using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using SidePool.Api;
using SidePool.Crd;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.FakeServer;

namespace SidePool.Bench;

/// <summary>
/// The operator's resident memory as a process of its own, against a fake API server holding many Secrets that have
/// nothing to do with SidePool (Helm releases, tokens…) next to a few pools: what caching every Secret costs.
/// </summary>
internal static class OperatorMemory
{
    public static Command Command()
    {
        var operatorPath = new Option<string>("--operator") { Description = "The sidepool-operator executable (apphost) to measure.", Required = true };
        var secrets = new Option<int>("--secrets") { Description = "Unrelated Secrets in the cluster.", DefaultValueFactory = _ => 5000 };
        var sizeKb = new Option<int>("--secret-kb") { Description = "Size of each unrelated Secret.", DefaultValueFactory = _ => 50 };
        var pools = new Option<int>("--pools") { Description = "ConnectionPools (each with its credentials Secret).", DefaultValueFactory = _ => 10 };
        var settle = new Option<int>("--settle-seconds") { Description = "How long to sample RSS once every pool has a version.", DefaultValueFactory = _ => 20 };
        var command = new Command("operator-memory", "Operator RSS with many unrelated Secrets in the cluster.") { operatorPath, secrets, sizeKb, pools, settle };
        command.SetAction(async (parsed, ct) => await RunAsync(parsed.GetValue(operatorPath)!, parsed.GetValue(secrets), parsed.GetValue(sizeKb), parsed.GetValue(pools), parsed.GetValue(settle), ct));
        return command;
    }

    private static async Task<int> RunAsync(string operatorPath, int secretCount, int sizeKb, int poolCount, int settleSeconds, CancellationToken ct)
    {
        await using var server = await FakeApiServer.StartAsync(cancellationToken: ct);
        using (var http = new HttpClient { BaseAddress = server.BaseAddress })
        using (var crd = new StringContent(CrdBuilder.Build().ToJsonString(), Encoding.UTF8))
        {
            crd.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            (await http.PostAsync(new Uri("apis/apiextensions.k8s.io/v1/customresourcedefinitions", UriKind.Relative), crd, ct)).EnsureSuccessStatusCode();
        }

        using var client = KubernetesClient.ForServer(server.BaseAddress);
        var secretClient = client.Resource(KubernetesResources.Secrets);
        for (var n = 0; n < 10; n++)
        {
            await client.Resource(KubernetesResources.Namespaces).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = $"apps-{n}" } }, cancellationToken: ct);
        }

        var payload = new byte[sizeKb * 1024];
        Random.Shared.NextBytes(payload);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, secretCount), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
            await secretClient.CreateAsync(new Secret { Metadata = new ObjectMeta { Name = $"unrelated-{i}", NamespaceProperty = $"apps-{i % 10}" }, Data = new Dictionary<string, byte[]> { ["blob"] = payload } }, cancellationToken: token));
        Console.WriteLine($"created {secretCount} unrelated Secrets of {sizeKb} KB in {clock.Elapsed.TotalSeconds:F1} s");

        var poolClient = client.Resource(new ResourceType<ConnectionPool>(new ApiResource(Naming.Group, Naming.Version, Naming.Plural, Naming.Kind, true), ApiJsonContext.Lenient.ConnectionPool));
        for (var i = 0; i < poolCount; i++)
        {
            await secretClient.CreateAsync(new Secret
            {
                Metadata = new ObjectMeta { Name = $"pool-{i}-creds", NamespaceProperty = "default" },
                Data = new Dictionary<string, byte[]> { ["username"] = "app"u8.ToArray(), ["password"] = "pw"u8.ToArray() },
            }, cancellationToken: ct);
            await poolClient.CreateAsync(new ConnectionPool
            {
                Metadata = new ObjectMeta { Name = $"pool-{i}", NamespaceProperty = "default" },
                Spec = new ConnectionPoolSpec
                {
                    Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = $"app-{i}" } },
                    Backend = new BackendSpec { Host = "db.example", Database = "app", CredentialsSecret = new CredentialsSecretRef { Name = $"pool-{i}-creds" } },
                },
            }, cancellationToken: ct);
        }

        using var directory = new TempDirectory();
        var kubeconfig = server.WriteKubeconfig(Path.Combine(directory.Path, "kubeconfig"), "default");
        var info = new ProcessStartInfo(operatorPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--kubeconfig", kubeconfig, "--metrics-port", FreeTcpPort().ToString(CultureInfo.InvariantCulture), "--webhook", "false", "--sidecar-mode", "native", "--operator-namespace", "default" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        using var process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync(ct);
        _ = process.StandardError.ReadToEndAsync(ct);
        clock.Restart();
        try
        {
            while (true)
            {
                var done = 0;
                await foreach (var pool in poolClient.ListAllAsync("default", cancellationToken: ct))
                {
                    done += pool.Status?.CurrentVersion is null ? 0 : 1;
                }

                if (done == poolCount)
                {
                    break;
                }

                if (process.HasExited || clock.Elapsed > TimeSpan.FromMinutes(5))
                {
                    Console.Error.WriteLine($"the operator did not publish every pool (exited: {process.HasExited})");
                    return 1;
                }

                await Task.Delay(200, ct);
            }

            Console.WriteLine($"every pool published {clock.Elapsed.TotalSeconds:F1} s after the operator started");
            var samples = new List<long>();
            for (var i = 0; i < settleSeconds * 2; i++)
            {
                samples.Add(ResidentKb(process.Id));
                await Task.Delay(500, ct);
            }

            Console.WriteLine($"operator RSS over {settleSeconds} s: last {samples[^1] / 1024.0:F0} MiB, max {samples.Max() / 1024.0:F0} MiB ({secretCount} unrelated Secrets x {sizeKb} KB, {poolCount} pools)");
            Console.WriteLine($"OPERATOR-RSS-MIB last={samples[^1] / 1024.0:F0} max={samples.Max() / 1024.0:F0}");
            return 0;
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static long ResidentKb(int pid) =>
        File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).Single();

    private static int FreeTcpPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("sidepool-bench-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
