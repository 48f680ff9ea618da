using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SidePool.Testing;

/// <summary>
/// PostgreSQL and PgBouncer refuse to run as root. When the tests run as root (CI), processes are started
/// as the <c>postgres</c> user through <c>setpriv</c>, which execs in place so that the started process is
/// the server itself (signals reach it directly).
/// </summary>
public static class ServiceUser
{
    public const string Name = "postgres";

    public static bool IsRoot { get; } = geteuid() == 0;

    private static readonly Lazy<(int Uid, int Gid)> Ids = new(() =>
    {
        var uid = int.Parse(RunForOutput("id", "-u", Name), System.Globalization.CultureInfo.InvariantCulture);
        var gid = int.Parse(RunForOutput("id", "-g", Name), System.Globalization.CultureInfo.InvariantCulture);
        return (uid, gid);
    });

    /// <summary>Builds a start info that runs <paramref name="fileName"/> as the service user when root.</summary>
    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments)
    {
        ProcessStartInfo info;
        if (IsRoot)
        {
            info = new ProcessStartInfo("setpriv");
            foreach (var a in new[] { "--reuid", Name, "--regid", Name, "--init-groups", "--", fileName })
            {
                info.ArgumentList.Add(a);
            }
        }
        else
        {
            info = new ProcessStartInfo(fileName);
        }

        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = false;
        if (IsRoot)
        {
            info.Environment["HOME"] = Path.GetTempPath();
        }

        return info;
    }

    /// <summary>Hands a path to the service user when running as root; no-op otherwise.</summary>
    public static void GiveOwnership(string path)
    {
        if (!IsRoot)
        {
            return;
        }

        var (uid, gid) = Ids.Value;
        if (chown(path, uid, gid) != 0)
        {
            throw new IOException($"chown {path} to {Name} failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>Runs a command to completion (as the service user) and returns stdout; throws with stderr on failure.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken = default)
    {
        using var process = Process.Start(StartInfo(fileName, arguments))
            ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} exited {process.ExitCode}: {await stderr}{await stdout}");
        }

        return await stdout;
    }

    /// <summary>Sends a POSIX signal to a process.</summary>
    public static void Signal(int pid, PosixSignalNumber signal)
    {
        if (kill(pid, (int)signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    private static string RunForOutput(string fileName, params string[] args)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern int chown(string path, int owner, int group);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}

/// <summary>Linux signal numbers used by the tests.</summary>
public enum PosixSignalNumber
{
    Hup = 1,
    Int = 2,
    Quit = 3,
    Kill = 9,
    Term = 15,
}
