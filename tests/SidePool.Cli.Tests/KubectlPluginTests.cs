using System.Diagnostics;
using SidePool.Crd;
using SidePool.Testing;
using Xunit;

namespace SidePool.Cli.Tests;

/// <summary>The built binary, found by the real kubectl as a plugin (<c>kubectl sidepool …</c>).</summary>
public sealed class KubectlPluginTests
{
    private static async Task<CliResult> KubectlAsync(params string[] args)
    {
        using var home = new TestDirectory("kube");
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // The test output folder holds the apphost `kubectl-sidepool`: put it first on PATH.
        info.Environment["PATH"] = $"{AppContext.BaseDirectory}:{Environment.GetEnvironmentVariable("PATH")}";
        info.Environment["HOME"] = home.FullPath;
        info.Environment["KUBECONFIG"] = Path.Combine(home.FullPath, "none");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task KubectlFindsThePluginAndItPrintsTheCrd()
    {
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "kubectl-sidepool")), "apphost kubectl-sidepool not built");
        var list = await KubectlAsync("plugin", "list");
        Assert.Contains("kubectl-sidepool", list.Stdout, StringComparison.Ordinal);

        var crd = await KubectlAsync("sidepool", "crd");
        Assert.Equal(0, crd.ExitCode);
        Assert.Equal(CrdDocument.Yaml(), crd.Stdout);
    }

    [Fact]
    public async Task BadInputThroughKubectlIsOneLineAndExitCode2()
    {
        using var directory = new TestDirectory("plugin");
        var pool = directory.WriteFile("pool.yaml", "apiVersion: sidepool.dev/v1alpha1\nkind: ConnectionPool\nmetadata: {name: p}\nspec: {selector: {matchLabels: {a: b}}, backend: {host: db, database: d, credentialsSecret: {name: c}}, pool: {size: 0}}\n");
        var result = await KubectlAsync("sidepool", "render", "-f", pool);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: {pool}: spec.pool.size: must be between 1 and 10000\n", result.Stderr);
        Assert.Equal("", result.Stdout);
    }
}
