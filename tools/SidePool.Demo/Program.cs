using System.CommandLine;
using SidePool.Demo;

var outputDirectory = new Option<string>("--output-dir") { Description = "Where the summary (summary.md) and the plot (demo.png) go.", DefaultValueFactory = _ => "out/demo" };
var root = new RootCommand("The SidePool demo: a sandbox cluster, the operator, an app under load, and a tour of a reload, a backend password rotation, a new version and scaling. Exit code 1 when any app transaction failed.")
{
    outputDirectory,
};
root.SetAction(async (parsed, cancellationToken) =>
{
    using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true; // tear down in order: the operator, the pods (gracefully), PostgreSQL
        Console.WriteLine("interrupted: tearing everything down");
        interrupted.Cancel();
    };
    try
    {
        return DemoRun.ExitCode(await new DemoRun(Path.GetFullPath(parsed.GetValue(outputDirectory)!), Console.Out).RunAsync(interrupted.Token));
    }
    catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
    {
        return 130;
    }
});
return await root.Parse(args).InvokeAsync();
