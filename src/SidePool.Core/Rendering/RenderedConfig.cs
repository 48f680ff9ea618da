using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// PgBouncer's files for one pool (<c>pgbouncer.ini</c>, <c>pg_hba.conf</c>, <c>userlist.txt</c>, and the server CA
/// when set) before they are sealed into a version by <see cref="PoolRenderer.Finish"/>.
/// </summary>
public sealed record RenderedConfig
{
    public required string PoolName { get; init; }

    /// <summary>File name → content. <see cref="VersionContract.Files.UserList"/> and <see cref="VersionContract.Files.Ini"/> hold passwords.</summary>
    public required IReadOnlyDictionary<string, string> Files { get; init; }

    /// <summary>Rendered values of the settings PgBouncer applies only at start (a change needs new pods).</summary>
    public required IReadOnlyDictionary<string, string> RestartSettings { get; init; }

    public required int ListenPort { get; init; }

    public required string SocketDirectory { get; init; }

    /// <summary>The database and client user the agent's backend check logs in as.</summary>
    public required AgentProbe Probe { get; init; }

    /// <summary>The pool sets <c>backend.maxConnections</c>: the version gets a budget key (see docs/budget.md).</summary>
    public bool Budgeted { get; init; }

    public override string ToString() => $"RenderedConfig {{ Pool = {PoolName}, Files = [{string.Join(", ", Files.Keys)}] }}";
}
