using System.Diagnostics;
using SidePool.Testing;

namespace SidePool.Images.Tests;

/// <summary>
/// Runs host commands (podman, nsenter, psql, curl, images/build.sh) to completion with this process's environment,
/// minus MSBuild's and the test host's variables, plus <c>CONTAINERS_CONF</c> (images/containers.conf unless set).
/// </summary>
internal static class Commands
{
    public static string ContainersConf { get; } =
        Environment.GetEnvironmentVariable("CONTAINERS_CONF") is { Length: > 0 } configured ? configured : SourceTree.PathOf("images", "containers.conf");

    public static async Task<ProgramResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan? timeout = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = SourceTree.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["CONTAINERS_CONF"] = ContainersConf;
        info.Environment["PATH"] = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin") + ":/usr/sbin:/sbin";

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var limit = timeout ?? TimeSpan.FromMinutes(1);
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {limit}:\n{await stdout}\n{await stderr}");
        }

        return new ProgramResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a command that must succeed; returns its trimmed stdout.</summary>
    public static async Task<string> CheckedAsync(string fileName, params string[] arguments)
    {
        var result = await RunAsync(fileName, arguments);
        return result.ExitCode == 0
            ? result.Stdout.Trim()
            : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed: {result}");
    }

    public static Task<ProgramResult> PodmanAsync(params string[] arguments) => RunAsync("podman", arguments);

    public static Task<string> PodmanCheckedAsync(params string[] arguments) => CheckedAsync("podman", arguments);
}
