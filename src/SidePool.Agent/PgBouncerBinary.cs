using System.Diagnostics;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent;

/// <summary>Finds the PgBouncer binary and its version (<c>pgbouncer --version</c>).</summary>
internal static class PgBouncerBinary
{
    public static string Resolve(string path)
    {
        if (path.Contains('/', StringComparison.Ordinal))
        {
            return path;
        }

        var search = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/usr/local/bin").Append("/usr/bin");
        return search.Select(dir => Path.Combine(dir, path)).FirstOrDefault(File.Exists) ?? path;
    }

    public static async Task<PgBouncerVersion> DetectVersionAsync(string path, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(path) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--version");
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {path}");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return PgBouncerVersion.TryParse(output, out var version)
            ? version
            : throw new InvalidOperationException($"{path} --version printed no version");
    }
}
