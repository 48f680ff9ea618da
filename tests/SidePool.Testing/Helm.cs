using System.Diagnostics;

namespace SidePool.Testing;

/// <summary>
/// Runs the real <c>helm</c> (<c>SIDEPOOL_HELM</c>, else <c>helm</c> on PATH; <c>.ci/run</c> installs it) with a
/// private HOME, cache and config, so nothing of the machine's helm setup leaks in.
/// </summary>
public sealed class Helm : IDisposable
{
    private readonly TestDirectory _home = new("sidepool-helm");

    public Helm(string? kubeconfig = null)
    {
        Kubeconfig = kubeconfig;
    }

    public static string Binary { get; } = Environment.GetEnvironmentVariable("SIDEPOOL_HELM") is { Length: > 0 } explicitPath
        ? explicitPath
        : Binaries.FindOnPath("helm") ?? throw new FileNotFoundException("helm is required: put it on PATH or set SIDEPOOL_HELM (.ci/run installs it)");

    public static string ChartDirectory { get; } = SourceTree.PathOf("charts", "sidepool");

    public string? Kubeconfig { get; }

    public string WriteFile(string name, string content) => _home.WriteFile(name, content);

    public async Task<ProcessResult> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = _home.FullPath;
        info.Environment["HELM_CACHE_HOME"] = _home.PathOf("cache");
        info.Environment["HELM_CONFIG_HOME"] = _home.PathOf("config");
        info.Environment["HELM_DATA_HOME"] = _home.PathOf("data");
        info.Environment.Remove("HELM_NAMESPACE");
        if (Kubeconfig is not null)
        {
            info.Environment["KUBECONFIG"] = Kubeconfig;
        }
        else
        {
            info.Environment.Remove("KUBECONFIG");
        }

        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    public async Task<string> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        return result.ExitCode == 0
            ? result.StandardOutput
            : throw new InvalidOperationException($"helm {string.Join(' ', args)} failed ({result.ExitCode}):\n{result.StandardError}\n{result.StandardOutput}");
    }

    public void Dispose() => _home.Dispose();
}

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);
