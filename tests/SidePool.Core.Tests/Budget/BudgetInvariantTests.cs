using Xunit;

namespace SidePool.Core.Tests;

/// <summary>
/// Property-style: random sequences of scale-ups, scale-downs, rollouts, acknowledgements, lost deliveries, traffic
/// and releases, sidecars starting and leader changes (the operator's view lost) against a model of the agents. After every event the sum of what every pod may open (its applied
/// share x entries, or the servers it still holds above it; unmanaged pods at their worst case) stays within the budget.
/// </summary>
public sealed class BudgetInvariantTests
{
    private const int Cap = 10;
    private static readonly WorkloadRef Web = new(WorkloadRef.Deployment, "web");

    private sealed class Agent
    {
        public required string Name { get; init; }
        public required int Version { get; init; }
        public bool Managed { get; init; } = true;
        public int Entries { get; init; } = 1;
        public int Applied { get; set; }
        public int Servers { get; set; }
        public bool Terminating { get; set; }

        /// <summary>The sidecar passed its startup probe; until then no operator asks or admits it (it stays paused).</summary>
        public bool Started { get; set; }

        public int MayOpen => Managed ? Math.Max(Applied * Entries, Servers) : Cap * Entries;
    }

    private sealed record View(int Share, int? Sent, int Servers);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void The_sum_of_what_pods_may_open_never_exceeds_the_budget(int seed)
    {
        var random = new Random(seed);
        var budget = random.Next(8, 80);
        var entries = random.Next(1, 3);
        var surge = random.Next(0, 3);
        var replicas = random.Next(1, 4);
        var version = 1;
        var next = 0;
        var agents = new List<Agent>();
        var views = new Dictionary<string, View>(StringComparer.Ordinal);

        // an old version from before the budget: unmanaged, at its worst case (kept within the budget: nothing can shrink it)
        if (random.Next(3) == 0 && budget >= Cap * entries)
        {
            agents.Add(new Agent { Name = "unmanaged", Version = 0, Managed = false, Entries = entries, Started = true });
        }

        void Converge()
        {
            var running = agents.Count(a => !a.Terminating && a.Managed);
            while (running < replicas)
            {
                agents.Add(new Agent { Name = $"p{next++}", Version = version, Entries = entries });
                running++;
            }

            foreach (var extra in agents.Where(a => !a.Terminating && a.Managed).OrderBy(a => a.Version).Take(Math.Max(0, running - replicas)).ToList())
            {
                extra.Terminating = true;
            }
        }

        void Check(string step)
        {
            var sum = agents.Sum(a => a.MayOpen);
            Assert.True(sum <= budget, $"seed {seed}, after {step}: pods may open {sum} > budget {budget}: {string.Join(", ", agents.Select(a => $"{a.Name}(share {a.Applied}, servers {a.Servers}{(a.Terminating ? ", terminating" : "")})"))}");
        }

        Converge();
        Check("start");
        for (var step = 0; step < 400; step++)
        {
            var what = random.Next(12);
            switch (what)
            {
                case 0: // scale
                    replicas = random.Next(0, 11);
                    Converge();
                    break;
                case 1: // rollout: surge new pods first, then old ones terminate
                    version++;
                    foreach (var old in agents.Where(a => a.Managed && !a.Terminating && a.Version < version).ToList())
                    {
                        agents.Add(new Agent { Name = $"p{next++}", Version = version, Entries = entries });
                        old.Terminating = true;
                    }

                    break;
                case 2: // a terminating pod is gone
                    if (agents.FirstOrDefault(a => a.Terminating) is { } gone)
                    {
                        agents.Remove(gone);
                        views.Remove(gone.Name);
                    }

                    break;
                case 3: // traffic: an admitted pod opens servers up to its share
                    if (agents.Where(a => a.Managed && a.Servers < a.Applied * a.Entries).OrderBy(_ => random.Next()).FirstOrDefault() is { } busy)
                    {
                        busy.Servers = Math.Min(busy.Applied * busy.Entries, busy.Servers + random.Next(1, 5));
                    }

                    break;
                case 4: // release: PgBouncer closes servers above the share as clients release them
                    if (agents.Where(a => a.Managed && a.Servers > a.Applied * a.Entries).OrderBy(_ => random.Next()).FirstOrDefault() is { } releasing)
                    {
                        releasing.Servers = Math.Max(releasing.Applied * releasing.Entries, releasing.Servers - random.Next(1, 5));
                    }

                    break;
                case 10: // a sidecar passes its startup probe
                    if (agents.Where(a => !a.Started).OrderBy(_ => random.Next()).FirstOrDefault() is { } starting)
                    {
                        starting.Started = true;
                    }

                    break;
                case 11: // a leader change: the new term knows no agent
                    views.Clear();
                    break;
                default: // an operator pass: GET (some agents answer), plan, deliver (some deliveries lost, some acks lost)
                    foreach (var agent in agents.Where(a => a.Managed && (a.Started || views.ContainsKey(a.Name))))
                    {
                        if (!views.ContainsKey(agent.Name) || random.Next(3) > 0)
                        {
                            if (random.Next(5) > 0)
                            {
                                views[agent.Name] = new View(agent.Applied, null, agent.Servers);
                            }
                        }
                    }

                    var pods = agents.Select(a => new BudgetPod
                    {
                        Name = a.Name,
                        Version = a.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Owner = a.Managed ? Web : new WorkloadRef(WorkloadRef.Pod, a.Name),
                        Terminating = a.Terminating,
                        Cap = Cap,
                        Entries = a.Entries,
                        Managed = a.Managed,
                        Starting = !a.Started && !views.ContainsKey(a.Name),
                        Share = views.TryGetValue(a.Name, out var v) ? v.Share : null,
                        Sent = views.TryGetValue(a.Name, out var v2) ? v2.Sent : null,
                        Servers = views.TryGetValue(a.Name, out var v3) ? v3.Servers : null,
                    }).ToList();
                    var target = BudgetTarget.Compute(budget, Cap, entries, [BudgetWorkload.Deployment("web", replicas, surge.ToString(System.Globalization.CultureInfo.InvariantCulture))], pods);
                    var plan = BudgetPlanner.Plan(budget, target, pods);
                    var room = target.Share is { } s && pods.Any(p => p.Deliverable && p.Share == 0 && plan.Counted - p.Counted + Math.Max(p.Counted, Math.Min(p.Cap, s) * p.Entries) <= budget);
                    if (room)
                    {
                        Assert.True(plan.Deliveries.Any(d => d.Kind == BudgetDeliveryKind.Admit), $"seed {seed}: room for an admission unused: budget {budget}, share {target.Share}, counted {plan.Counted}: {string.Join(", ", pods.Select(p => $"{p.Name}(share {p.Share}, sent {p.Sent}, servers {p.Servers}, counted {p.Counted}{(p.Terminating ? ", terminating" : "")})"))}"); // the property is not vacuous
                    }

                    foreach (var delivery in plan.Deliveries.OrderBy(_ => random.Next()))
                    {
                        var agent = agents.Single(a => a.Name == delivery.Pod);
                        var old = views[agent.Name];
                        switch (random.Next(6))
                        {
                            case 0: // lost on the way: not applied, outcome unknown
                                views[agent.Name] = old with { Sent = Math.Max(old.Sent ?? 0, delivery.Share) };
                                break;
                            case 1: // applied, answer lost
                                agent.Applied = delivery.Share;
                                views[agent.Name] = old with { Sent = Math.Max(old.Sent ?? 0, delivery.Share) };
                                break;
                            default:
                                agent.Applied = delivery.Share;
                                views[agent.Name] = new View(delivery.Share, null, agent.Servers);
                                break;
                        }

                        Check($"step {step}: {delivery}");
                    }

                    break;
            }

            Check($"step {step} (event {what})");
        }

        Assert.True(agents.Count > 0 || replicas == 0, $"seed {seed}: the model ran no pod");
    }

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 200; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Fact]
    public void Converges_to_the_target_when_every_answer_arrives()
    {
        // 2 -> 10 -> 3 pods, budget 20, surge 1, every delivery acknowledged and every release done at once
        var shares = new Dictionary<string, int>(StringComparer.Ordinal) { ["a"] = 0, ["b"] = 0 };
        var replicas = 2;
        var peak = 0;
        for (var pass = 0; pass < 60; pass++)
        {
            if (pass == 10)
            {
                replicas = 10;
                for (var i = 0; i < 8; i++)
                {
                    shares[$"n{i}"] = 0;
                }
            }

            if (pass == 30)
            {
                replicas = 3;
                foreach (var name in shares.Keys.Skip(3).ToList())
                {
                    shares.Remove(name);
                }
            }

            var pods = shares.Select(s => new BudgetPod { Name = s.Key, Owner = Web, Cap = 10, Entries = 1, Managed = true, Share = s.Value, Servers = s.Value }).ToList();
            var target = BudgetTarget.Compute(20, 10, 1, [BudgetWorkload.Deployment("web", replicas, "1")], pods);
            foreach (var delivery in BudgetPlanner.Plan(20, target, pods).Deliveries)
            {
                shares[delivery.Pod] = delivery.Share;
            }

            peak = Math.Max(peak, shares.Values.Sum());
            Assert.True(shares.Values.Sum() <= 20);
        }

        Assert.Equal(15, peak); // 3 pods (2 + surge 1) x 6, then 10 + 1 pods x 1, then 4 x 5: shares follow the pods that will run
        Assert.All(shares.Values, s => Assert.Equal(5, s)); // 3 replicas + 1 surge = 4 pods: floor(20 / 4)
    }
}
