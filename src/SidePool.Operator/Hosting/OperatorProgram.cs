using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;

namespace SidePool.Operator.Hosting;

/// <summary>
/// What <c>sidepool-operator</c> does with its flags: connect (in-cluster, else kubeconfig), build the host, run until
/// SIGTERM. A mistake in the configuration is one line on stderr and exit code 2; a port already in use, one line and
/// exit code 1. Anything else is a bug and keeps its stack trace.
/// </summary>
public static class OperatorProgram
{
    public const int StartupFailureExitCode = 1;

    public static async Task<int> RunAsync(OperatorOptions options, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stderr);
        var ports = options.Webhook ? [(options.MetricsPort, "--metrics-port"), (options.WebhookPort, "--webhook-port")] : new[] { (options.MetricsPort, "--metrics-port") };
        foreach (var (port, flag) in ports)
        {
            if (PortProbe.Problem(port, flag) is { } problem)
            {
                return await FailAsync(stderr, problem, StartupFailureExitCode);
            }
        }

        KubernetesClient client;
        try
        {
            client = await KubernetesClient.CreateDefaultAsync(
                options.Kubeconfig is null && options.Context is null ? null : new KubeConfigLoadOptions { ExplicitPath = options.Kubeconfig, Context = options.Context },
                cancellationToken: cancellationToken);
        }
        catch (KubernetesConfigException ex)
        {
            return await FailAsync(stderr, ex.Message, OperatorCommandLine.UserErrorExitCode);
        }

        using (client)
        {
            WebApplication app;
            try
            {
                app = OperatorHost.Build(options, client);
            }
            catch (ArgumentException ex)
            {
                return await FailAsync(stderr, ex.Message, OperatorCommandLine.UserErrorExitCode);
            }

            await using (app)
            {
                try
                {
                    await app.StartAsync(cancellationToken);
                }
                catch (IOException ex) when (ex.InnerException is AddressInUseException)
                {
                    // Taken between the probe and the start (the host has logged the details).
                    return await FailAsync(stderr, $"cannot listen: {ex.Message}", StartupFailureExitCode);
                }

                await app.WaitForShutdownAsync(cancellationToken);
            }
        }

        return 0;
    }

    private static async Task<int> FailAsync(TextWriter stderr, string message, int exitCode)
    {
        var line = string.Join(' ', message.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        await stderr.WriteLineAsync($"{OperatorFlags.Name}: {line}");
        return exitCode;
    }
}
