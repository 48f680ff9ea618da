using System.Diagnostics;

namespace SidePool.Sandbox.Podman;

/// <summary>Runs <c>podman</c> (rootful) with the sandbox's <c>containers.conf</c> (runc, cgroupfs, no default ulimits).</summary>
internal sealed class PodmanCli(string containersConf)
{
    public string ContainersConf { get; } = containersConf;

    public async Task<PodmanResult> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        using var process = Process.Start(StartInfo(arguments)) ?? throw new InvalidOperationException("podman did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }

        return new PodmanResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a long-running podman command (events, logs -f) whose output the caller reads.</summary>
    public Process Start(IEnumerable<string> arguments)
    {
        var process = Process.Start(StartInfo(arguments)) ?? throw new InvalidOperationException("podman did not start");
        process.StandardInput.Close();
        return process;
    }

    public static void Kill(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("podman")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["CONTAINERS_CONF"] = ContainersConf;
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}
