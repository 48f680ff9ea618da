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

    /// <summary>helm with <paramref name="args"/> in a clean environment (<see cref="ProgramRun"/>): the private homes, and KUBECONFIG only when given.</summary>
    public Task<ProgramResult> RunAsync(params string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["HELM_CACHE_HOME"] = _home.PathOf("cache"),
            ["HELM_CONFIG_HOME"] = _home.PathOf("config"),
            ["HELM_DATA_HOME"] = _home.PathOf("data"),
        };
        if (Kubeconfig is not null)
        {
            environment["KUBECONFIG"] = Kubeconfig;
        }

        return ProgramRun.RunAsync(Binary, args, _home.FullPath, environment, TimeSpan.FromMinutes(2));
    }

    public async Task<string> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        return result.ExitCode == 0
            ? result.Stdout
            : throw new InvalidOperationException($"helm {string.Join(' ', args)} failed ({result.ExitCode}):\n{result.Stderr}\n{result.Stdout}");
    }

    public void Dispose() => _home.Dispose();
}
