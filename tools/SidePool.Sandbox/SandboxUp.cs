using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.FakeServer;
using SidePool.Sandbox.Kubelet;
using SidePool.Sandbox.Podman;

namespace SidePool.Sandbox;

/// <summary>
/// <c>sidepool-sandbox up</c>: the fake API server over HTTPS (workload controllers on, external kubelet mode, webhook
/// Services resolved by <c>--service</c>), <c>STATE/kubeconfig</c>, the podman kubelet; prints one line
/// <c>ready kubeconfig=… server=… node=…</c> and runs until SIGTERM/SIGINT, or until the process that started it is
/// gone (<see cref="ParentWatch"/>); then terminates every pod gracefully, removes its podman objects and exits 0.
/// </summary>
internal static class SandboxUp
{
    public static async Task<int> RunAsync(UpOptions options, TextWriter stdout, ILogger logger)
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.TrySetResult();
        }

        var parent = ParentWatch.ParentPid();
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(options.StateDirectory);
        var podman = new PodmanCli(options.ContainersConf);
        PodKubelet? kubelet = null;
        using var certificate = TestCertificates.CreateServerCertificate();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions
        {
            Port = options.ApiPort,
            ServerCertificate = certificate,
            RequiredBearerToken = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)).ToLowerInvariant(),
            RunControllers = true,
            ServiceAccountTokens = true,
            AuthorizeWithRbac = options.Rbac,
            ExternalKubeletNodeName = options.NodeName,
            WebhookServiceResolver = options.Services.Resolve,
            PodLogs = (request, output, cancellationToken) =>
                kubelet?.StreamLogsAsync(request, output, cancellationToken) ?? throw new PodLogUnavailableException("the kubelet is not running yet"),
            Logger = logger,
        });
        var kubeconfig = server.WriteKubeconfig(Path.Combine(options.StateDirectory, "kubeconfig"));
        using var client = await KubernetesClient.CreateDefaultAsync(new KubeConfigLoadOptions { ExplicitPath = kubeconfig });
        var settings = new KubeletSettings(options.NodeName, options.StateDirectory, options.PostgresSocketDirectory, options.PostgresPort, options.CrashBackoff, options.CrashBackoffMax, server.BaseAddress.Port, options.PodSubnet);
        kubelet = new PodKubelet(client, settings, podman, logger);
        try
        {
            using (var startup = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                await kubelet.StartAsync(startup.Token);
            }

            logger.LogInformation("up in {Seconds:0.0} s: API server {Server}, node {Node}, {Services} service(s) for webhooks", clock.Elapsed.TotalSeconds, server.BaseAddress, options.NodeName, options.Services.Count);
            await stdout.WriteLineAsync($"ready kubeconfig={kubeconfig} server={server.BaseAddress.ToString().TrimEnd('/')} node={options.NodeName}");
            await stdout.FlushAsync();

            using (var unwatch = new CancellationTokenSource())
            {
                var orphaned = ParentWatch.OrphanedAsync(parent, ParentWatch.ParentPid, TimeSpan.FromSeconds(1), unwatch.Token);
                if (await Task.WhenAny(stopping.Task, orphaned) == orphaned && orphaned.IsCompletedSuccessfully)
                {
                    logger.LogWarning("the process that started the sandbox is gone: stopping as on SIGTERM");
                }

                await unwatch.CancelAsync();
            }

            clock.Restart();
            logger.LogInformation("stopping: terminating every pod gracefully");
            await kubelet.ShutdownAsync();
            logger.LogInformation("stopped in {Seconds:0.0} s", clock.Elapsed.TotalSeconds);
            return 0;
        }
        finally
        {
            await kubelet.DisposeAsync();
        }
    }
}
