using System.Diagnostics;
using Xunit;

namespace SidePool.Cli.Tests;

/// <summary>
/// The README's "see it work" command, run as a new user would (as root in CI: PostgreSQL and PgBouncer then run as
/// postgres): it must end with a row that came through the sidecar.
/// </summary>
public sealed class QuickstartTests
{
    [Fact]
    public async Task The_readme_command_ends_with_a_query_answered_through_the_sidecar()
    {
        var readme = await File.ReadAllTextAsync(Repository.Path("README.md"));
        Assert.Contains("make quickstart", readme, StringComparison.Ordinal);

        var info = new ProcessStartInfo("bash", [Repository.Path("hack", "quickstart.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Path(),
        };
        var before = QuickstartProcesses();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;

        Assert.True(process.ExitCode == 0, output);
        Assert.Matches(@"hello from orders_app through the sidecar on port \d+", output);
        Assert.Contains("sidepool_backend_up 1", output, StringComparison.Ordinal);
        Assert.DoesNotContain("backend-secret", output, StringComparison.Ordinal); // the backend password is never shown
        Assert.Matches(@"DATABASE_URL=postgresql://orders_app:\*\*\*\*@127\.0\.0\.1:\d+/orders", output);

        // "everything above is removed on exit": no agent, PgBouncer or runuser of this run is left behind
        var left = QuickstartProcesses().Except(before).ToList();
        Assert.True(left.Count == 0, "left running:\n" + string.Join("\n", left));
    }

    /// <summary>Processes whose command line names a quickstart work directory (pid and command line).</summary>
    private static HashSet<string> QuickstartProcesses()
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(directory), out var pid) && pid != Environment.ProcessId
                    && File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ') is var cmdline
                    && cmdline.Contains("/tmp/sidepool-quickstart.", StringComparison.Ordinal))
                {
                    found.Add($"{pid} {cmdline}");
                }
            }
            catch (IOException)
            {
                // the process exited meanwhile
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }
}
