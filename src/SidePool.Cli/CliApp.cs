using System.CommandLine;
using System.CommandLine.Invocation;
using SidePool.Api;
using SidePool.Cli.Status;
using SidePool.Crd;

namespace SidePool.Cli;

/// <summary>
/// <c>kubectl-sidepool</c>, a kubectl plugin (<c>kubectl sidepool …</c> when on PATH). Exit codes: 0 success,
/// 2 bad input (one line on stderr naming the file and field, or the pool not found), 1 the cluster could not be read
/// (one line) or an unexpected failure.
/// </summary>
public static class CliApp
{
    public const int UserErrorExitCode = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var root = new RootCommand("SidePool: a PgBouncer sidecar for every pod a ConnectionPool selects.");
        root.Subcommands.Add(RenderCommand.Create(stdout, stderr));
        root.Subcommands.Add(StatusCommand.Create(stdout));
        root.Subcommands.Add(RecommendCommand.Create(stdout));
        var crd = new Command("crd", "Print the ConnectionPool CustomResourceDefinition.");
        crd.SetAction(_ => stdout.Write(CrdDocument.Yaml()));
        root.Subcommands.Add(crd);

        // The one product version, also when the entry assembly is another (tests).
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion(stdout);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            var message = parsed.UnmatchedTokens.FirstOrDefault(t => t.StartsWith('-')) is { } unknown
                ? $"unknown option {unknown.Split('=', 2)[0]}"
                : string.Join("; ", parsed.Errors.Select(e => OneLine(e.Message)).Reverse());
            await stderr.WriteLineAsync($"error: {message} (see kubectl-sidepool --help)");
            return UserErrorExitCode;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false }, cancellationToken);
        }
        catch (UserError e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return UserErrorExitCode;
        }
        catch (InvalidManifestException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return UserErrorExitCode;
        }
        catch (ClusterError e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    private sealed class PrintVersion(TextWriter stdout) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            stdout.WriteLine(ProductVersion.Current);
            return 0;
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
