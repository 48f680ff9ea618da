using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Runtime.LeaderElection;
using SidePool.Kubernetes.Runtime.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Kubernetes.Runtime.Tests;

/// <summary>Lease leader election against the fake API server, with short durations.</summary>
public sealed class LeaderElectionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(250);

    private sealed class Candidate
    {
        private readonly LeadershipTracker _tracker;

        public Candidate(IResourceClient<Lease> leases, string identity, LeadershipTracker tracker, bool releaseOnCancel, string leaseName = "sidepool-leader")
        {
            _tracker = tracker;
            Identity = identity;
            Elector = new LeaderElector(leases, new LeaderElectionOptions
            {
                LeaseName = leaseName,
                Namespace = "default",
                Identity = identity,
                LeaseDuration = Lease,
                RenewDeadline = TimeSpan.FromMilliseconds(1500),
                RetryPeriod = Retry,
                ReleaseOnCancel = releaseOnCancel,
            });
        }

        public string Identity { get; }

        public LeaderElector Elector { get; }

        public CancellationTokenSource Stop { get; } = new();

        public Task? Run { get; private set; }

        public DateTime? StartedLeadingAt { get; private set; }

        public void Start() => Run = Elector.RunAsync(async token =>
        {
            StartedLeadingAt = DateTime.UtcNow;
            _tracker.Enter(Identity);
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            finally
            {
                _tracker.Leave(Identity);
            }
        }, Stop.Token);
    }

    /// <summary>Counts how many candidates run leader work at the same moment.</summary>
    private sealed class LeadershipTracker
    {
        private readonly Lock _gate = new();
        private readonly HashSet<string> _leaders = [];

        public int MaxConcurrentLeaders { get; private set; }

        public string? Current
        {
            get
            {
                lock (_gate)
                {
                    return _leaders.Count == 1 ? _leaders.First() : null;
                }
            }
        }

        public void Enter(string identity)
        {
            lock (_gate)
            {
                _leaders.Add(identity);
                MaxConcurrentLeaders = Math.Max(MaxConcurrentLeaders, _leaders.Count);
            }
        }

        public void Leave(string identity)
        {
            lock (_gate)
            {
                _leaders.Remove(identity);
            }
        }
    }

    [Fact]
    public async Task Two_candidates_never_both_lead_and_a_killed_leader_is_replaced_within_lease_plus_retry()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var leases = cluster.Client.Resource(KubernetesResources.Leases);
        var tracker = new LeadershipTracker();
        var a = new Candidate(leases, "a", tracker, releaseOnCancel: false);
        var b = new Candidate(leases, "b", tracker, releaseOnCancel: false);
        a.Start();
        Assert.True(await Eventually.HoldsAsync(() => tracker.Current == "a", TimeSpan.FromSeconds(5)));
        b.Start();

        // Steady state with 10 % of requests failing: the leader keeps renewing, the other keeps waiting.
        cluster.Server.Faults.SetErrorRate(0.1, 500);
        await Task.Delay(Lease * 2);
        cluster.Server.Faults.Clear();
        Assert.Equal("a", tracker.Current);
        Assert.False(b.Elector.IsLeader);

        // Kill a: no release, the lease record stays as it was.
        var killedAt = DateTime.UtcNow;
        await a.Stop.CancelAsync();
        await a.Run!;
        Assert.True(await Eventually.HoldsAsync(() => tracker.Current == "b", Lease + Retry + TimeSpan.FromSeconds(3)));
        var takeover = b.StartedLeadingAt!.Value - killedAt;
        output.WriteLine($"takeover after {takeover.TotalMilliseconds:0} ms (lease {Lease.TotalMilliseconds} ms + retry {Retry.TotalMilliseconds} ms)");
        Assert.True(takeover < Lease + Retry + TimeSpan.FromMilliseconds(1500), $"takeover took {takeover}");

        // a may have gone up to its renew deadline (1.5 s) without renewing before it was killed; b must still have
        // waited out the rest of the lease as it observed it.
        Assert.True(takeover >= Lease - TimeSpan.FromMilliseconds(1500), $"b took over after only {takeover}: it did not wait for the lease to expire");

        var lease = await leases.GetAsync("sidepool-leader", "default");
        Assert.Equal("b", lease.Spec!.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        await b.Stop.CancelAsync();
        await b.Run!;
        Assert.Equal(1, tracker.MaxConcurrentLeaders);
    }

    [Fact]
    public async Task A_leader_that_shuts_down_releases_the_lease_for_a_fast_handover()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var leases = cluster.Client.Resource(KubernetesResources.Leases);
        var tracker = new LeadershipTracker();
        var a = new Candidate(leases, "a", tracker, releaseOnCancel: true, leaseName: "release");
        var b = new Candidate(leases, "b", tracker, releaseOnCancel: true, leaseName: "release");
        a.Start();
        Assert.True(await Eventually.HoldsAsync(() => tracker.Current == "a", TimeSpan.FromSeconds(5)));
        b.Start();
        await Task.Delay(Retry * 3);
        var stoppedAt = DateTime.UtcNow;
        await a.Stop.CancelAsync();
        await a.Run!;
        Assert.True(await Eventually.HoldsAsync(() => tracker.Current == "b", TimeSpan.FromSeconds(5)));
        var handover = b.StartedLeadingAt!.Value - stoppedAt;
        output.WriteLine($"handover after release: {handover.TotalMilliseconds:0} ms");
        Assert.True(handover < Lease, $"handover took {handover}, no faster than an expiry");
        await b.Stop.CancelAsync();
        await b.Run!;
        var lease = await leases.GetAsync("release", "default");
        Assert.Null(lease.Spec!.HolderIdentity);
        Assert.Equal(1, tracker.MaxConcurrentLeaders);
    }

    [Fact]
    public async Task A_leader_whose_work_ends_steps_down_and_releases_the_lease_at_once()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var leases = cluster.Client.Resource(KubernetesResources.Leases);
        var elector = new LeaderElector(leases, new LeaderElectionOptions
        {
            LeaseName = "work-ends",
            Namespace = "default",
            Identity = "a",
            LeaseDuration = Lease,
            RenewDeadline = TimeSpan.FromMilliseconds(1500),
            RetryPeriod = Retry,
        });
        using var stop = new CancellationTokenSource();
        var workEnds = new TaskCompletionSource();

        // The work gives up while the lease is still renewable (e.g. its caches cannot sync).
        var run = elector.RunAsync(_ => workEnds.Task, stop.Token);
        Assert.True(await Eventually.HoldsAsync(() => elector.IsLeader, TimeSpan.FromSeconds(5)));
        workEnds.SetResult();

        var returned = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5)));
        Assert.True(returned == run, "RunAsync returns when the leader's work ends");
        Assert.False(elector.IsLeader);
        var lease = await leases.GetAsync("work-ends", "default");
        Assert.Null(lease.Spec!.HolderIdentity);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Racing_writes_carry_the_resource_version_so_exactly_one_candidate_wins()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var leases = cluster.Client.Resource(KubernetesResources.Leases);
        for (var round = 0; round < 3; round++)
        {
            var name = $"race-{round}";
            var candidates = Enumerable.Range(0, 4).Select(i => new LeaderElector(leases, new LeaderElectionOptions { LeaseName = name, Namespace = "default", Identity = $"c{i}", LeaseDuration = TimeSpan.FromSeconds(1), RenewDeadline = TimeSpan.FromMilliseconds(800), RetryPeriod = TimeSpan.FromMilliseconds(100) })).ToArray();

            // No lease yet: concurrent creates, one wins.
            var created = await Task.WhenAll(candidates.Select(c => c.TryAcquireOrRenewAsync(CancellationToken.None)));
            Assert.Equal(1, created.Count(x => x));

            // The holder goes silent; once the others have seen the record unchanged for a lease duration, they race to take it.
            var losers = candidates.Where((_, i) => !created[i]).ToArray();
            Assert.All(await Task.WhenAll(losers.Select(c => c.TryAcquireOrRenewAsync(CancellationToken.None))), x => Assert.False(x));
            await Task.Delay(TimeSpan.FromMilliseconds(1200));
            var taken = await Task.WhenAll(losers.Select(c => c.TryAcquireOrRenewAsync(CancellationToken.None)));
            Assert.Equal(1, taken.Count(x => x));
            var lease = await leases.GetAsync(name, "default");
            Assert.Equal(losers[Array.IndexOf(taken, true)].ObservedLeader, lease.Spec!.HolderIdentity);
            Assert.Equal(1, lease.Spec.LeaseTransitions);
        }
    }

    [Fact]
    public async Task A_term_continues_the_previous_one_only_when_the_lease_is_as_this_candidate_left_it()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var leases = cluster.Client.Resource(KubernetesResources.Leases);
        LeaderElector Candidate(string identity) => new(leases, new LeaderElectionOptions { LeaseName = "terms", Namespace = "default", Identity = identity, LeaseDuration = TimeSpan.FromSeconds(1), RenewDeadline = TimeSpan.FromMilliseconds(800), RetryPeriod = TimeSpan.FromMilliseconds(100) });
        var a = Candidate("a");
        var b = Candidate("b");

        // each term ends by cancellation, which releases the lease (ReleaseOnCancel): its own last write
        Assert.False(await LeadOnceAsync(a)); // its first term
        Assert.True(await LeadOnceAsync(a)); // took its own lease back, untouched: nobody led in between
        Assert.True(await b.TryAcquireOrRenewAsync(CancellationToken.None)); // b takes the free lease and leads for a moment
        await Task.Delay(TimeSpan.FromMilliseconds(1200)); // b goes silent; its lease expires for a
        Assert.False(await LeadOnceAsync(a)); // b held it in between
        Assert.True(await LeadOnceAsync(a));
    }

    [Fact]
    public async Task A_renewal_whose_answer_was_lost_does_not_break_the_continuity_but_another_holder_does()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var leases = cluster.Client.Resource(KubernetesResources.Leases);
        LeaderElector Candidate(string identity) => new(leases, new LeaderElectionOptions { LeaseName = "lost", Namespace = "default", Identity = identity, LeaseDuration = TimeSpan.FromSeconds(1), RenewDeadline = TimeSpan.FromMilliseconds(800), RetryPeriod = TimeSpan.FromMilliseconds(100), ReleaseOnCancel = false });
        var a = Candidate("a");

        Assert.False(await LeadOnceAsync(a)); // (no release on cancel: the lease stays held by a between terms)

        // A renewal the API server applied but whose answer never reached a (a starved process, a timeout): the lease's
        // resourceVersion is not the one a knows, but a still holds it and nobody took it in between.
        var lease = await leases.GetAsync("lost", "default");
        lease.Spec!.RenewTime = DateTime.UtcNow;
        await leases.ReplaceAsync(lease);
        Assert.True(await LeadOnceAsync(a));

        // b takes the expired lease and leads for a moment; a takes it back: not a continuation.
        var b = Candidate("b");
        Assert.False(await b.TryAcquireOrRenewAsync(CancellationToken.None));
        await Task.Delay(TimeSpan.FromMilliseconds(1200));
        Assert.True(await b.TryAcquireOrRenewAsync(CancellationToken.None));
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        Assert.False(await a.TryAcquireOrRenewAsync(CancellationToken.None)); // a sees b's fresh lease
        await Task.Delay(TimeSpan.FromMilliseconds(1200));
        Assert.False(await LeadOnceAsync(a));
    }

    /// <summary>One term of <paramref name="elector"/>, ended by cancellation (released or not, by its options); whether it continued the previous one.</summary>
    private static async Task<bool> LeadOnceAsync(LeaderElector elector)
    {
        using var stop = new CancellationTokenSource();
        var leading = new TaskCompletionSource();
        var run = elector.RunAsync(
            async token =>
            {
                leading.TrySetResult();
                await Task.Delay(Timeout.Infinite, token);
            },
            stop.Token);
        await leading.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var continues = elector.ContinuesOwnTerm;
        await stop.CancelAsync();
        await run;
        return continues;
    }

    [Fact]
    public void Durations_must_nest()
    {
        var leases = new ScriptedResourceClient<Lease>(KubernetesResources.Leases.Resource);
        Assert.Throws<ArgumentException>(() => new LeaderElector(leases, new LeaderElectionOptions { LeaseName = "l", Namespace = "n", Identity = "i", LeaseDuration = TimeSpan.FromSeconds(10), RenewDeadline = TimeSpan.FromSeconds(10) }));
        Assert.Throws<ArgumentException>(() => new LeaderElector(leases, new LeaderElectionOptions { LeaseName = "l", Namespace = "n", Identity = "i", RetryPeriod = TimeSpan.FromSeconds(10) }));
    }
}
