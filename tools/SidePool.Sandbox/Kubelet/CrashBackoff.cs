namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// The kubelet's restart back-off for one container: the first restart after <c>initial</c>, doubling per restart up to
/// <c>max</c> (Kubernetes: 10 s to 300 s); reset once a container ran for 2 × <c>max</c> without failing (Kubernetes: 10 min
/// for the 5 min cap).
/// </summary>
internal sealed class CrashBackoff(TimeSpan initial, TimeSpan max)
{
    private int _failures;

    public TimeSpan Next(TimeSpan ranFor)
    {
        if (ranFor >= 2 * max)
        {
            _failures = 0;
        }

        var delay = TimeSpan.FromTicks(Math.Min(max.Ticks, initial.Ticks * (1L << Math.Min(_failures, 30))));
        _failures++;
        return delay;
    }
}
