namespace SidePool.Agent.Configuration;

/// <summary>What the agent wrote to the runtime directory for one configuration: the file PgBouncer runs on and its restart-only values.</summary>
internal sealed record RuntimeConfig(string IniPath, PgBouncerIni Ini, IReadOnlyDictionary<string, string> RestartSettings)
{
    /// <summary>The unix socket directory PgBouncer listens in (PgBouncer's default when unset).</summary>
    public string SocketDirectory => RestartSettings.GetValueOrDefault("unix_socket_dir") ?? "/tmp";

    public int ListenPort => int.Parse(RestartSettings.GetValueOrDefault("listen_port") ?? "6432", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Never prints the ini: it holds the backend password.</summary>
    public override string ToString() => $"RuntimeConfig {{ IniPath = {IniPath} }}";
}
