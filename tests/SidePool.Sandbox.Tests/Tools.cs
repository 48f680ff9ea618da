using System.Diagnostics;
using SidePool.Testing;

namespace SidePool.Sandbox.Tests;

/// <summary>podman (with the repository's containers.conf) and kubectl, as the tests run them.</summary>
internal static class Tools
{
    public static string ContainersConf { get; } =
        Environment.GetEnvironmentVariable("CONTAINERS_CONF") is { Length: > 0 } set ? set : SourceTree.PathOf("images", "containers.conf");

    public static Task<(int ExitCode, string Stdout, string Stderr)> PodmanAsync(params string[] arguments) =>
        RunAsync("podman", arguments, new Dictionary<string, string> { ["CONTAINERS_CONF"] = ContainersConf });

    public static Task<(int ExitCode, string Stdout, string Stderr)> KubectlAsync(string kubeconfig, params string[] arguments) =>
        RunAsync("kubectl", ["--kubeconfig", kubeconfig, .. arguments]);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Polls until <paramref name="done"/>; fails with <paramref name="why"/>'s explanation after <paramref name="timeout"/>.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, Func<T?, Task<string>> why)
    {
        var deadline = DateTime.UtcNow + timeout;
        T? last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await read();
            if (done(last))
            {
                return last;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"not reached within {timeout.TotalSeconds:0} s: {await why(last)}");
    }
}
