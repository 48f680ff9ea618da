namespace SidePool.Sandbox.Podman;

/// <summary>One podman run: exit code and output.</summary>
internal sealed record PodmanResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The error podman printed (its last stderr line), for statuses and logs.</summary>
    public string Error => StandardError.Trim().Split('\n').LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? $"podman exited with {ExitCode}";
}
