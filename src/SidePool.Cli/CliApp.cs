using System.CommandLine;
using SidePool.Crd;

namespace SidePool.Cli;

/// <summary>
/// <c>kubectl-sidepool</c>, a kubectl plugin (<c>kubectl sidepool …</c> when on PATH). Exit codes: 0 success,
/// 2 bad input (one line on stderr naming the file and field), 1 an unexpected failure.
/// </summary>
public static class CliApp
{
    public const int UserErrorExitCode = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var root = new RootCommand("SidePool: a PgBouncer sidecar for every pod a ConnectionPool selects.");
        root.Subcommands.Add(RenderCommand.Create(stdout, stderr));
        var crd = new Command("crd", "Print the ConnectionPool CustomResourceDefinition.");
        crd.SetAction(_ => stdout.Write(CrdDocument.Yaml()));
        root.Subcommands.Add(crd);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"error: {string.Join("; ", parsed.Errors.Select(e => OneLine(e.Message)).Reverse())} (see kubectl-sidepool --help)");
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
        catch (Api.InvalidManifestException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return UserErrorExitCode;
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
