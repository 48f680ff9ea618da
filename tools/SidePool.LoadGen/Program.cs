using System.Reflection;
using System.Runtime.InteropServices;
using SidePool.LoadGen;

foreach (var argument in args)
{
    switch (argument)
    {
        case "-h" or "--help":
            Console.Out.Write(LoadGenOptions.Usage);
            return 0;
        case "--version":
            Console.Out.WriteLine($"sidepool-loadgen {typeof(LoadRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown"}");
            return 0;
        default:
            Console.Error.WriteLine($"sidepool-loadgen: unknown argument {argument} (it is configured by environment variables; see --help)");
            return 2;
    }
}

LoadGenOptions options;
try
{
    options = LoadGenOptions.FromEnvironment(Environment.GetEnvironmentVariable);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"sidepool-loadgen: {e.Message}");
    return 2;
}

// The first SIGTERM/SIGINT stops new transactions, a second one cancels the running ones.
using var stopping = new CancellationTokenSource();
using var abort = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    if (stopping.IsCancellationRequested)
    {
        abort.Cancel();
    }
    else
    {
        stopping.Cancel();
    }
}

using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

await new LoadRunner(options, new JsonLineWriter(Console.Out)).RunAsync(stopping.Token, abort.Token);
return 0;
