using System.CommandLine;
using System.Runtime.InteropServices;
using SidePool.Demo;
using SidePool.Tools;

var scenario = new Option<string>("--scenario")
{
    Description = "tour: a reload, a backend password rotation, a new version and scaling (summary.md, demo.png). budget: backend.maxConnections 20 while the app scales 2 → 10 → 3 and a new version rolls out, pg_stat_activity counted every 100 ms (summary.md, budget.csv, budget.png; docs/budget.md).",
    DefaultValueFactory = _ => "tour",
};
scenario.AcceptOnlyFromAmong("tour", "budget");
var outputDirectory = new Option<string>("--output-dir") { Description = "Where the summary and the plot go (default out/demo, or out/demo-budget for --scenario budget)." };
var root = new RootCommand("The SidePool demo: a sandbox cluster, the operator, an app under load, and a scenario: the tour (a reload, a backend password rotation, a new version and scaling) or the live connection budget. Exit code 1 when any app transaction failed (or, for the budget, PostgreSQL held more server connections than the budget), 130 when interrupted.")
{
    scenario,
    outputDirectory,
};
root.SetAction(async (parsed, cancellationToken) =>
{
    // Ctrl-C and SIGTERM stop the tour and tear everything down in order (the operator, the pods gracefully,
    // PostgreSQL), however long that takes: System.CommandLine's own signal handling would end the process 2 s
    // later, leaving containers behind, so it is off (ProcessTerminationTimeout = null below).
    using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    void Interrupt(PosixSignalContext context)
    {
        context.Cancel = true;
        if (!interrupted.IsCancellationRequested)
        {
            Console.WriteLine("interrupted: tearing everything down");
            interrupted.Cancel();
        }
    }

    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
    try
    {
        var budget = parsed.GetValue(scenario) == "budget";
        var directory = Path.GetFullPath(parsed.GetValue(outputDirectory) ?? (budget ? "out/demo-budget" : "out/demo"));
        return budget
            ? BudgetRun.ExitCode(await new BudgetRun(directory, Console.Out).RunAsync(interrupted.Token))
            : DemoRun.ExitCode(await new DemoRun(directory, Console.Out).RunAsync(interrupted.Token));
    }
    catch (Exception) when (interrupted.IsCancellationRequested)
    {
        // A terminal's Ctrl-C reaches the whole process group: PostgreSQL and the sandbox also stop by themselves,
        // so the step in progress may fail in any way; the sessions were torn down on the way out.
        Console.WriteLine("interrupted: everything was torn down");
        return 130;
    }
    catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException or HttpRequestException or Npgsql.NpgsqlException or SidePool.Kubernetes.Errors.KubernetesApiException)
    {
        Console.Error.WriteLine($"sidepool-demo: {e.Message}");
        return 2;
    }
});
var parsed = root.Parse(args);
return UsageErrors.Report(parsed, "sidepool-demo") ?? await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
