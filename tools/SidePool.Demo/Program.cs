using System.CommandLine;
using System.Runtime.InteropServices;
using SidePool.Demo;
using SidePool.Tools;

var outputDirectory = new Option<string>("--output-dir") { Description = "Where the summary (summary.md) and the plot (demo.png) go.", DefaultValueFactory = _ => "out/demo" };
var root = new RootCommand("The SidePool demo: a sandbox cluster, the operator, an app under load, and a tour of a reload, a backend password rotation, a new version and scaling. Exit code 1 when any app transaction failed, 130 when interrupted.")
{
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
        return DemoRun.ExitCode(await new DemoRun(Path.GetFullPath(parsed.GetValue(outputDirectory)!), Console.Out).RunAsync(interrupted.Token));
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
