using System.Collections.Concurrent;
using SidePool.Core;

namespace SidePool.Operator.Budget;

/// <summary>
/// What the budget step knows (docs/budget.md): per pool, what each agent acknowledged (by pod UID), the pods of the
/// last pass and the pods that left and still count. It outlives a leadership term of this process: a term that
/// continues this process' previous one (it took its own lease back untouched, so no other operator delivered shares
/// in between: <see cref="Kubernetes.Runtime.LeaderElection.LeaderElector.ContinuesOwnTerm"/>) keeps it; any other
/// term starts empty and re-learns, counting every started pod at its worst case until its agent answers.
/// </summary>
public sealed class BudgetMemory
{
    internal ConcurrentDictionary<string, ConcurrentDictionary<string, AgentLedger>> Pools { get; } = new(StringComparer.Ordinal);

    internal ConcurrentDictionary<string, Dictionary<string, BudgetPod>> LastPods { get; } = new(StringComparer.Ordinal);

    internal ConcurrentDictionary<string, Dictionary<string, (BudgetPod Pod, DateTimeOffset Until)>> Departed { get; } = new(StringComparer.Ordinal);

    /// <summary>Since when this memory was kept without a gap another operator could have acted in.</summary>
    public DateTimeOffset KeptSince { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>A term begins: it keeps what is known if it continues this process' previous term, else forgets it.</summary>
    public void BeginTerm(bool continuesPreviousTerm, DateTimeOffset now)
    {
        if (continuesPreviousTerm && KeptSince != DateTimeOffset.MinValue)
        {
            return;
        }

        Pools.Clear();
        LastPods.Clear();
        Departed.Clear();
        KeptSince = now;
    }

    /// <summary>Forgets one pool (its budget was removed).</summary>
    internal void Forget(string pool)
    {
        Pools.TryRemove(pool, out _);
        LastPods.TryRemove(pool, out _);
        Departed.TryRemove(pool, out _);
    }
}

/// <summary>What one agent acknowledged: its epoch and share, a share sent without an answer, its servers, the sidecar's restart count then.</summary>
internal sealed record AgentLedger(long Epoch, int Share, int? Sent, int Servers, int Restarts);
