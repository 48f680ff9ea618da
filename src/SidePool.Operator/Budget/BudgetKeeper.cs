using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;

namespace SidePool.Operator.Budget;

/// <summary>
/// The budget step of the pool reconcile (docs/budget.md): learns what each managed pod's agent applied
/// (<c>GET /budget</c>), asks the core for the target share (<see cref="BudgetTarget"/>) and what to deliver now
/// (<see cref="BudgetPlanner"/>: shrinks first, grows and admissions only when the sum including them fits), delivers
/// it (<c>PUT /budget</c>), and reports for status. What an agent acknowledged is kept per pod (by UID) in
/// <see cref="BudgetMemory"/>, between passes and across a term that continues this process' previous one; after a
/// restart or a change of leader every managed pod whose sidecar started counts at its worst case until its agent
/// answered a GET; one whose sidecar has not started counts 0 (no term admits it before then).
/// </summary>
public sealed class BudgetKeeper(Func<Pod, string, Uri?> endpoint, AgentBudgetClient client, ILogger logger, BudgetMemory memory, TimeSpan freshMargin, TimeSpan releaseDelay = default, TimeProvider? time = null)
{
    /// <summary>How soon a pool whose budget has not converged is looked at again.</summary>
    public static readonly TimeSpan Requeue = TimeSpan.FromMilliseconds(250);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>One pass; null when the pool has no budget. <paramref name="converged"/> false: look again soon.</summary>
    public async Task<(BudgetReport? Report, bool Converged)> KeepAsync(ConnectionPool pool, IReadOnlyList<Pod> podsInNamespace, IReadOnlyList<ObservedPod> observed, IReadOnlyList<WorkloadState> workloads, IReadOnlyList<Secret> versionSecrets, CancellationToken cancellationToken)
    {
        var name = pool.Metadata.Name!;
        var key = $"{pool.Metadata.NamespaceProperty}/{name}";
        if (pool.Spec?.Backend?.MaxConnections is not { } budget)
        {
            memory.Forget(key);
            return (null, true);
        }

        var ledgers = memory.Pools.GetOrAdd(key, _ => new ConcurrentDictionary<string, AgentLedger>(StringComparer.Ordinal));
        var versions = new Dictionary<string, BudgetVersion>(StringComparer.Ordinal);
        foreach (var secret in versionSecrets)
        {
            if (VersionContract.Secrets.ShortVersionOf(name, secret.Metadata?.Name) is { } shortVersion && BudgetVersion.Of(secret) is { } version)
            {
                versions[shortVersion] = version;
            }
        }

        var cap = pool.Spec.Pool.Size + pool.Spec.Pool.ReserveSize;
        var entries = pool.Spec.Backend.ReadOnlyHost is null ? 1 : 2;
        var owners = observed.GroupBy(o => o.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Owner, StringComparer.Ordinal);
        var members = new List<Member>();
        foreach (var pod in podsInNamespace)
        {
            if (VersionContract.Labels.VersionOf(pod.Metadata?.Labels, name) is not { } shortVersion || pod.Status?.Phase is "Succeeded" or "Failed" || pod.Metadata?.Uid is not { } uid)
            {
                continue;
            }

            versions.TryGetValue(shortVersion, out var version);
            var target = version?.Key is not null ? endpoint(pod, name) : null;
            var owner = owners.GetValueOrDefault(pod.Metadata.Name!) ?? new WorkloadRef(WorkloadRef.Pod, pod.Metadata.Name!);
            var fresh = pod.Metadata.CreationTimestamp is { } created && new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) > memory.KeptSince + freshMargin;
            var sidecar = SidecarStatus(pod, name);
            members.Add(new Member(pod, uid, shortVersion, version ?? new BudgetVersion(null, cap, entries), target, sidecar?.RestartCount ?? 0, sidecar?.Started == true, owner, fresh));
        }

        foreach (var gone in ledgers.Keys.Except(members.Select(m => m.Uid), StringComparer.Ordinal).ToList())
        {
            ledgers.TryRemove(gone, out _);
        }

        // A sidecar that restarted and has not started again: what its previous instance acknowledged died with it.
        foreach (var member in members.Where(m => !m.SidecarStarted))
        {
            if (ledgers.TryGetValue(member.Uid, out var known) && known.Restarts != member.Restarts)
            {
                ledgers.TryRemove(member.Uid, out _);
            }
        }

        // An admitted pod that left still counts at what it was last counted for releaseDelay: its server connections
        // are gone from PostgreSQL only once their backends exited, which lags the pod's end.
        var now = _time.GetUtcNow();
        var last = memory.LastPods.GetValueOrDefault(key) ?? [];
        var departed = memory.Departed.GetOrAdd(key, _ => []);
        var present = members.Select(m => m.Uid).ToHashSet(StringComparer.Ordinal);
        foreach (var (uid, pod) in last)
        {
            if (!present.Contains(uid) && pod.Share > 0 && pod.Counted > 0 && releaseDelay > TimeSpan.Zero)
            {
                departed[uid] = (pod with { Name = "left:" + pod.Name, Terminating = true, Managed = true, Cap = pod.Counted, Entries = 1, Share = pod.Counted, Sent = null, Servers = pod.Counted }, now + releaseDelay);
            }
        }

        foreach (var uid in departed.Where(d => d.Value.Until <= now || present.Contains(d.Key)).Select(d => d.Key).ToList())
        {
            departed.Remove(uid);
        }

        var leaving = departed.Values.Select(d => d.Pod).ToList();

        // 1. Learn: every managed pod the ledger does not know, that restarted its sidecar, or whose last answer is unsettled.
        // A pod whose sidecar has not started (startup probe) is not asked, hence never admitted, by any term: it counts 0
        // until it started, so a new term need not count a scale-up's starting pods at their worst case.
        var unreachable = new ConcurrentBag<string>();
        // A pod without an address yet (no status.podIP before its sandbox runs) cannot be asked: it stays a managed pod
        // that has not answered (its version has a key, so its PgBouncer starts paused), not an unmanaged one. A
        // terminating pod is asked once if this term does not know it (after a leader change its agent still answers
        // while it drains): otherwise it would count at its worst case until it is gone.
        await Parallel.ForEachAsync(members.Where(m => m.Managed && m.Endpoint is not null && (m.SidecarStarted || ledgers.ContainsKey(m.Uid)) && (!m.Terminating || !ledgers.ContainsKey(m.Uid))), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (member, ct) =>
        {
            if (ledgers.TryGetValue(member.Uid, out var known) && known.Restarts == member.Restarts && known.Sent is null && known.Servers <= known.Share * member.Version.Entries && known.Share > 0)
            {
                return;
            }

            var state = await client.GetAsync(member.Endpoint!, member.Version.Key!, ct);
            if (state is null)
            {
                unreachable.Add(member.Name);
                if (known is not null && known.Restarts != member.Restarts)
                {
                    ledgers.TryRemove(member.Uid, out _); // a restarted agent is unknown again: worst case
                }

                return;
            }

            ledgers[member.Uid] = new AgentLedger(state.Epoch, state.Share, null, state.Servers, member.Restarts);
        });

        // 2. Plan and deliver.
        var workloadLimits = workloads.Where(w => w.MaxPods is not null).Select(w => new BudgetWorkload(w.Ref, w.MaxPods!.Value)).ToList();
        var pods = Snapshot(members, ledgers);
        var goal = BudgetTarget.Compute(budget, cap, entries, workloadLimits, [.. pods, .. leaving]);
        var plan = BudgetPlanner.Plan(budget, goal, [.. pods, .. leaving]);
        var byName = members.ToDictionary(m => m.Name, StringComparer.Ordinal);
        await Parallel.ForEachAsync(plan.Deliveries, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (delivery, ct) =>
        {
            var member = byName[delivery.Pod];
            var before = ledgers[member.Uid];
            if (member.Endpoint is null)
            {
                unreachable.Add(member.Name); // its address went away: nothing delivered, it keeps what it acknowledged
                return;
            }

            var epoch = before.Epoch + 1;

            // Written ahead: until an answer says otherwise the pod counts the larger of the two shares (a term that ends
            // while the PUT is on its way leaves it so for the next term, which may continue with this memory).
            ledgers[member.Uid] = before with { Sent = Math.Max(before.Sent ?? 0, delivery.Share) };
            var (status, state) = await client.PutAsync(member.Endpoint!, member.Version.Key!, new BudgetRequest { Epoch = epoch, Share = delivery.Share }, ct);
            if (status is HttpStatusCode.OK or HttpStatusCode.Conflict && state is not null)
            {
                ledgers[member.Uid] = new AgentLedger(state.Epoch, state.Share, null, state.Servers, member.Restarts);
                logger.LogInformation("Budget of pool {Pool}: {Kind} pod {Pod} to {Share} server connections per entry (epoch {Epoch}): {Result}, {Servers} open", key, delivery.Kind, member.Name, delivery.Share, epoch, status == HttpStatusCode.OK ? "applied" : "refused (stale epoch; re-learned)", state.Servers);
            }
            else
            {
                // unknown outcome: the pod keeps counting the larger of this and its acknowledged share until the agent answers a GET
                unreachable.Add(member.Name);
                logger.LogWarning("Budget of pool {Pool}: {Kind} of pod {Pod} to {Share} not acknowledged ({Status}); counting the larger of it and the acknowledged share until its agent answers", key, delivery.Kind, member.Name, delivery.Share, status?.ToString() ?? "no answer");
            }
        });

        // 3. Report what is acknowledged now.
        var after = Snapshot(members, ledgers);
        memory.LastPods[key] = members.Zip(after).ToDictionary(p => p.First.Uid, p => p.Second, StringComparer.Ordinal);
        var settled = BudgetPlanner.Plan(budget, goal, [.. after, .. leaving]);
        return (BudgetReport.From(goal, settled, [.. after, .. leaving], [.. unreachable.Distinct(StringComparer.Ordinal)]), settled.Converged && unreachable.IsEmpty && leaving.Count == 0);
    }

    private static List<BudgetPod> Snapshot(List<Member> members, ConcurrentDictionary<string, AgentLedger> ledgers) =>
        [.. members.Select(m =>
        {
            ledgers.TryGetValue(m.Uid, out var ledger);
            return new BudgetPod
            {
                Name = m.Name,
                Version = m.ShortVersion,
                Owner = m.Owner,
                Terminating = m.Terminating,
                Cap = m.Version.Cap,
                Entries = m.Version.Entries,
                Managed = m.Managed,
                Fresh = m.Fresh,
                Starting = !m.SidecarStarted && ledger is null,
                Share = ledger?.Share,
                Sent = ledger?.Sent,
                Servers = ledger?.Servers,
            };
        })];

    private static ContainerStatus? SidecarStatus(Pod pod, string poolName)
    {
        var name = VersionContract.Sidecar.Container(poolName);
        return (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []).FirstOrDefault(s => s.Name == name);
    }

    /// <param name="SidecarStarted">The sidecar's status says <c>started</c> (its startup probe passed; reset when it restarts).</param>
    private sealed record Member(Pod Pod, string Uid, string ShortVersion, BudgetVersion Version, Uri? Endpoint, int Restarts, bool SidecarStarted, WorkloadRef Owner, bool Fresh)
    {
        public string Name => Pod.Metadata!.Name!;

        /// <summary>Its version has a budget key: its PgBouncer starts paused and takes shares (asked once it has an address).</summary>
        public bool Managed => Version.Key is not null;

        public bool Terminating => Pod.Metadata?.DeletionTimestamp is not null;
    }
}
