using SidePool.Contract;

namespace SidePool.Agent.Telemetry;

/// <summary>
/// Counts the application clients PgBouncer closed for one of <see cref="VersionContract.Load.Timeouts"/>, from its
/// log lines (PgBouncer counts them nowhere else). PgBouncer 1.18 (and later) writes, for a client it closes:
/// <list type="bullet">
/// <item><c>WARNING C-0x…: db/user@addr pooler error: REASON</c> when <c>log_pooler_errors</c> is on (its default, and
/// SidePool's), and</item>
/// <item>before it, <c>LOG C-0x…: db/user@addr closing because: REASON (age=Ns)</c> when <c>log_disconnections</c> is on
/// (SidePool's default is off),</item>
/// </list>
/// with REASON <c>idle transaction timeout</c>, <c>query_wait_timeout</c> or <c>client_idle_timeout</c>. A client is
/// counted once: a <c>pooler error</c> line right after the <c>closing because</c> line of the same client and reason
/// (only server lines come between them) is the same close. Admin console sessions (database <c>pgbouncer</c>) and
/// server lines (<c>S-0x…</c>) are not counted. With both settings off nothing can be counted.
/// </summary>
internal sealed class ClosedClients
{
    private const string ClientMarker = " C-0x";
    private const string PoolerError = " pooler error: ";
    private const string ClosingBecause = " closing because: ";

    /// <summary>PgBouncer's reason text for each of <see cref="VersionContract.Load.Timeouts"/>, in that order.</summary>
    private static readonly string[] Reasons = ["idle transaction timeout", "query_wait_timeout", "client_idle_timeout"];

    private readonly long[] _counts = new long[Reasons.Length];
    private readonly Lock _gate = new();
    private string? _pendingClient;
    private int _pendingTimeout = -1;

    /// <summary>The timeouts counted, in the order of <see cref="Totals"/> (<see cref="VersionContract.Load.Timeouts"/>).</summary>
    public static IReadOnlyList<string> Timeouts => VersionContract.Load.Timeouts;

    /// <summary>Clients closed so far for each of <see cref="Timeouts"/>.</summary>
    public void CopyTotals(Span<long> totals)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            totals[i] = Interlocked.Read(ref _counts[i]);
        }
    }

    /// <summary>Clients closed so far for <paramref name="timeout"/> (one of <see cref="Timeouts"/>).</summary>
    public long Total(string timeout)
    {
        for (var i = 0; i < Timeouts.Count; i++)
        {
            if (Timeouts[i] == timeout)
            {
                return Interlocked.Read(ref _counts[i]);
            }
        }

        throw new ArgumentException($"not a counted timeout: {timeout}", nameof(timeout));
    }

    /// <summary>Reads one log line of PgBouncer's; returns the timeout it counted a closed client for, or null.</summary>
    public string? Observe(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!line.Contains("timeout", StringComparison.Ordinal))
        {
            return null; // the common case: one scan, no allocation
        }

        var marker = line.IndexOf(ClientMarker, StringComparison.Ordinal);
        if (marker < 0)
        {
            return null;
        }

        var rest = line.AsSpan(marker + 1);
        var idEnd = rest.IndexOf(": ", StringComparison.Ordinal);
        if (idEnd < 0)
        {
            return null;
        }

        var client = rest[..idEnd];
        rest = rest[(idEnd + 2)..];
        bool closing;
        int textStart;
        var at = rest.IndexOf(PoolerError, StringComparison.Ordinal);
        if (at >= 0)
        {
            closing = false;
            textStart = at + PoolerError.Length;
        }
        else if ((at = rest.IndexOf(ClosingBecause, StringComparison.Ordinal)) >= 0)
        {
            closing = true;
            textStart = at + ClosingBecause.Length;
        }
        else
        {
            return null;
        }

        var database = rest[..at];
        var slash = database.IndexOf('/');
        if (slash >= 0 && database[..slash].SequenceEqual("pgbouncer"))
        {
            return null; // an admin console session, not an application client
        }

        var reason = rest[textStart..];
        if (closing && reason.IndexOf(" (age=", StringComparison.Ordinal) is var age and >= 0)
        {
            reason = reason[..age];
        }

        reason = reason.TrimEnd();
        var timeout = -1;
        for (var i = 0; i < Reasons.Length && timeout < 0; i++)
        {
            timeout = reason.SequenceEqual(Reasons[i]) ? i : -1;
        }

        if (timeout < 0)
        {
            return null;
        }

        lock (_gate)
        {
            if (!closing && _pendingTimeout == timeout && client.SequenceEqual(_pendingClient))
            {
                _pendingClient = null; // the pooler error of a close already counted from its "closing because" line
                _pendingTimeout = -1;
                return null;
            }

            if (closing)
            {
                _pendingClient = client.ToString();
                _pendingTimeout = timeout;
            }

            Interlocked.Increment(ref _counts[timeout]);
        }

        return Timeouts[timeout];
    }
}
