using System.CommandLine;

namespace SidePool.Tools;

/// <summary>
/// How the tools (sandbox, demo, bench) report a mistake in their arguments: one line on stderr naming it and exit code
/// 2, like sidepool-operator. Linked into each tool's project (tools/Shared).
/// </summary>
internal static class UsageErrors
{
    /// <summary>Null when the arguments parsed, else 2 after the one line is written.</summary>
    public static int? Report(ParseResult parsed, string name)
    {
        if (parsed.Errors.Count == 0)
        {
            return null;
        }

        var message = parsed.UnmatchedTokens.FirstOrDefault(t => t.StartsWith('-')) is { } unknown
            ? $"unknown option {unknown.Split('=', 2)[0]}"
            : string.Join(' ', parsed.Errors[0].Message.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
        Console.Error.WriteLine($"{name}: {message} (see {name} --help)");
        return 2;
    }
}
