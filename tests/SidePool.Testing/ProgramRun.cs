using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SidePool.Testing;

/// <summary>What a finished program printed and returned.</summary>
public sealed record ProgramResult(int ExitCode, string Stdout, string Stderr)
{
    public IReadOnlyList<string> StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs a built executable (an apphost in the test's output folder) to completion with a clean environment: only
/// <c>PATH</c>, <c>HOME</c> (given), <c>DOTNET_ROOT</c> (the running runtime's) and what the test adds; nothing inherited,
/// so no <c>KUBECONFIG</c> or <c>KUBERNETES_SERVICE_HOST</c> leaks in. Killed (and reported) if it outlives the timeout.
/// </summary>
public static class ProgramRun
{
    public static async Task<ProgramResult> RunAsync(string executable, IEnumerable<string> arguments, string home, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/local/bin:/usr/bin:/bin";
        info.Environment["HOME"] = home;
        info.Environment["DOTNET_ROOT"] = DotnetRoot();
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{Path.GetFileName(executable)} {string.Join(' ', arguments)} did not exit within {timeout ?? TimeSpan.FromSeconds(60)}:\n{await stdout}\n{await stderr}");
        }

        return new ProgramResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The folder holding <c>shared/Microsoft.NETCore.App</c> of the runtime running the tests.</summary>
    private static string DotnetRoot() =>
        Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
}
