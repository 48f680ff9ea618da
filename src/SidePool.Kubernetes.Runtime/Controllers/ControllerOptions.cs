namespace SidePool.Kubernetes.Runtime.Controllers;

/// <summary>How many keys a controller reconciles at once, and its name for logs.</summary>
public sealed record ControllerOptions
{
    public string Name { get; init; } = "controller";
    public int Workers { get; init; } = 2;
}
