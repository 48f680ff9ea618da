namespace SidePool.Sandbox.Podman;

/// <summary>A container died (podman's <c>died</c> event): its name, exit code and when.</summary>
internal sealed record ContainerExit(string Id, string Name, int ExitCode, DateTimeOffset At);
