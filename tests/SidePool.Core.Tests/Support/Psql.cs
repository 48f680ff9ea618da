using System.Diagnostics;
using System.Globalization;

namespace SidePool.Core.Tests;

/// <summary>
/// psql as the admin console client in tests: PgBouncer's console speaks only the simple query protocol,
/// which Npgsql does not use.
/// </summary>
internal static class Psql
{
    public static async Task<string> RunAsync(string host, int port, string user, string? password, string database, string command)
    {
        var info = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-h", host, "-p", port.ToString(CultureInfo.InvariantCulture), "-U", user, "-d", database, "-At", "-F", "|", "-w", "-c", command })
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["PGPASSWORD"] = password ?? "";
        info.Environment["PGCONNECT_TIMEOUT"] = "10";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? (await stdout).Trim()
            : throw new PsqlException((await stderr).Trim());
    }
}

internal sealed class PsqlException(string message) : Exception(message);
