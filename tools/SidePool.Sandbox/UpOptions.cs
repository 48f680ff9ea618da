namespace SidePool.Sandbox;

/// <summary>The options of <c>sidepool-sandbox up</c>.</summary>
internal sealed record UpOptions(
    string StateDirectory,
    int ApiPort,
    string? PostgresSocketDirectory,
    int PostgresPort,
    ServiceMap Services,
    string NodeName,
    TimeSpan CrashBackoff,
    TimeSpan CrashBackoffMax,
    string ContainersConf,
    bool Rbac = false,
    byte PodSubnet = 1);
