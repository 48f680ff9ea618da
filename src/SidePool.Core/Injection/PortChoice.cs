namespace SidePool.Core;

/// <summary>
/// Which ports are taken, and which agent port a sidecar gets. A pool's listen port is taken when a container of the
/// pod declares it (<see cref="DeclaredBy"/>) or an older pool has it (<see cref="OwnerOf"/>; sidecars already in the
/// pod keep theirs). Agent ports count up from the options' agent port, past every port in use and every matching
/// pool's listen port (injected or not).
/// </summary>
internal sealed class PortChoice
{
    private readonly IReadOnlyList<DeclaredPort> declared;
    private readonly HashSet<int> used;
    private readonly HashSet<int> poolPorts;
    private readonly Dictionary<int, string> owners = [];
    private int agentPort;

    private PortChoice(IReadOnlyList<DeclaredPort> declared, IEnumerable<int> poolPorts, int firstAgentPort)
    {
        this.declared = declared;
        used = declared.Select(p => p.Port).ToHashSet();
        this.poolPorts = poolPorts.ToHashSet();
        agentPort = firstAgentPort;
    }

    /// <param name="pools">In precedence order (<see cref="PoolInjection.OldestFirst"/>): the first sidecar found in the pod owns its port.</param>
    public static PortChoice Start(PodInventory pod, IReadOnlyList<PoolInjection> pools, int firstAgentPort)
    {
        var choice = new PortChoice(pod.DeclaredPorts, pools.Select(p => p.Spec.Sidecar.Port), firstAgentPort);
        foreach (var pool in pools.Where(p => pod.HasSidecarOf(p.Name)))
        {
            choice.owners.TryAdd(pool.Spec.Sidecar.Port, pool.Name);
        }

        return choice;
    }

    /// <summary>The first declaration of <paramref name="port"/> by a container of the pod, or null.</summary>
    public DeclaredPort? DeclaredBy(int port) => declared.FirstOrDefault(p => p.Port == port);

    /// <summary>The pool whose sidecar listens on <paramref name="port"/> in this pod, or null.</summary>
    public string? OwnerOf(int port) => owners.GetValueOrDefault(port);

    /// <summary>The agent port the next sidecar would get (taken only by <see cref="Claim"/>).</summary>
    public int NextAgentPort()
    {
        var candidate = agentPort;
        while (used.Contains(candidate) || owners.ContainsKey(candidate) || poolPorts.Contains(candidate))
        {
            candidate++;
        }

        return candidate;
    }

    /// <summary><paramref name="pool"/>'s sidecar is added: it listens on <paramref name="port"/> and serves its agent on <paramref name="agentPort"/>.</summary>
    public void Claim(string pool, int port, int agentPort)
    {
        this.agentPort = agentPort;
        owners[port] = pool;
        used.Add(port);
        used.Add(agentPort);
    }
}
