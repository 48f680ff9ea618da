using System.Globalization;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// The <c>ClientsStuck</c> condition (docs/recommendations.md): a version keeps clients idle in transaction when its
/// agents closed clients for <c>idle_transaction_timeout</c> in their window, or when its servers spent at least
/// <see cref="IdleShare"/> of their transaction time idle in transaction (over at least
/// <see cref="MinTransactionSeconds"/> of it: the app opens transactions and then waits, holding a server).
/// </summary>
public static class StuckClients
{
    public const int IdleShare = 50;
    public const int MinTransactionSeconds = 10;

    /// <summary>True with reason IdleInTransaction, False NoneStuck, or Unknown NotMeasured; the message names versions and numbers.</summary>
    public static (string Status, string Reason, string Message) Evaluate(PoolLoad load, string idleTransactionTimeout)
    {
        if (load.Versions.Count == 0)
        {
            return ("Unknown", "NotMeasured", "no agent has reported measurements yet");
        }

        var stuck = new List<string>();
        foreach (var (version, measured) in load.Versions.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var closed = measured.ClosedBy(VersionContract.Load.IdleTransactionTimeout);
            var idle = measured.IdleInTransactionPercent;
            var longEnough = measured.TransactionMicroseconds >= MinTransactionSeconds * 1_000_000L;
            if (closed > 0 || (idle >= IdleShare && longEnough))
            {
                var parts = new List<string>();
                if (closed > 0)
                {
                    parts.Add(Invariant($"{closed} {(closed == 1 ? "client" : "clients")} closed after idle_transaction_timeout ({idleTransactionTimeout})"));
                }

                parts.Add(Invariant($"servers idle in transaction {idle}% of their transaction time"));
                stuck.Add(Invariant($"version {version}: {string.Join(", ", parts)}"));
            }
        }

        if (stuck.Count > 0)
        {
            return ("True", "IdleInTransaction", string.Join("; ", stuck) + Invariant($" (last {LoadMessages.WindowSeconds / 60} minutes): the app leaves transactions open; each holds a server connection"));
        }

        var worst = load.Versions.Values.Max(v => v.IdleInTransactionPercent);
        return ("False", "NoneStuck", Invariant($"no version keeps clients idle in transaction (at most {worst}% of transaction time idle)"));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
