using SidePool.Contract;

namespace SidePool.Agent.Configuration;

/// <summary>One validated generation of the mounted configuration.</summary>
internal sealed record MountedConfig(
    string ConfigDirectory,
    string ContentHash,
    AgentConfig Settings,
    PgBouncerIni Ini,
    UserList Users,
    IReadOnlyDictionary<string, string> Files)
{
    /// <summary>Settings that name a file PgBouncer reads; the agent points them at its private copy of that file.</summary>
    public static readonly IReadOnlyList<string> FileSettings = ["auth_file", "auth_hba_file", "server_tls_ca_file"];

    /// <summary>The renderer's revision, or the content hash when the renderer gave none.</summary>
    public string Revision => Settings.ConfigRevision.Length > 0 ? Settings.ConfigRevision : ContentHash;

    public string ShortRevision => Revision.Length > 12 ? Revision[..12] : Revision;

    public string AdminPassword => Users.PasswordOf(Settings.AdminUser) ?? "";

    /// <summary>Never prints file contents: several hold passwords.</summary>
    public override string ToString() => $"MountedConfig {{ Revision = {ShortRevision}, Files = [{string.Join(", ", Files.Keys)}] }}";
}
