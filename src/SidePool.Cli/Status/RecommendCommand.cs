using System.CommandLine;

namespace SidePool.Cli.Status;

/// <summary>
/// <c>recommend POOL [-n NS] [--kubeconfig FILE] [--context NAME]</c>: the pool's sizing advice and what each version's
/// agents measured (<see cref="RecommendScreen"/>). Reads only; errors as <see cref="StatusCommand"/>.
/// </summary>
public static class RecommendCommand
{
    public static Command Create(TextWriter stdout)
    {
        var poolName = new Argument<string>("POOL") { Description = "The ConnectionPool's name." };
        var ns = new Option<string?>("--namespace", "-n") { Description = "Its namespace (default: the kubeconfig context's, else default)." };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "kubeconfig file (default: KUBECONFIG, else ~/.kube/config, else in-cluster)." };
        var context = new Option<string?>("--context") { Description = "kubeconfig context (default: its current-context)." };
        var command = new Command("recommend", "Sizing advice for a pool (pool.size against wait times, server utilisation and the budget) and each version's measurements.")
        {
            poolName, ns, kubeconfig, context,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var report = await StatusCommand.ReadAsync(parsed.GetValue(poolName)!, parsed.GetValue(ns), parsed.GetValue(kubeconfig), parsed.GetValue(context), cancellationToken);
            await stdout.WriteAsync(RecommendScreen.Render(report));
            return 0;
        });
        return command;
    }
}
