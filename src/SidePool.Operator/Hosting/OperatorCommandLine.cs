using System.CommandLine;
using System.CommandLine.Invocation;
using SidePool.Api;

namespace SidePool.Operator.Hosting;

/// <summary>
/// The <c>sidepool-operator</c> command line: <c>--help</c>, <c>--version</c>, or the flags handed to the operator.
/// Exit codes: 0 done, 2 a user error (one line on stderr, no stack trace), else what the operator returns.
/// </summary>
public static class OperatorCommandLine
{
    public const int UserErrorExitCode = 2;

    public static async Task<int> RunAsync(
        IReadOnlyList<string> args,
        TextWriter stdout,
        TextWriter stderr,
        Func<OperatorOptions, CancellationToken, Task<int>> run,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var flags = new OperatorFlags();
        var parsed = flags.Parse(args);
        if (flags.ErrorOf(parsed) is { } error)
        {
            await stderr.WriteLineAsync($"{OperatorFlags.Name}: {error} (see {OperatorFlags.Name} --help)");
            return UserErrorExitCode;
        }

        // The one product version, also when the entry assembly is another (tests, embedding).
        flags.Command.Options.OfType<VersionOption>().Single().Action = new PrintVersion(stdout);
        flags.Command.SetAction((result, token) => run(flags.Bind(result), token));
        // SIGTERM and Ctrl+C are the host's (graceful shutdown releases the Lease): System.CommandLine stays out of it.
        var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(invocation, cancellationToken);
    }

    private sealed class PrintVersion(TextWriter stdout) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            stdout.WriteLine(ProductVersion.Current);
            return 0;
        }
    }
}
