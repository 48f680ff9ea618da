namespace SidePool.Kubernetes.Runtime.Informers;

/// <summary>Delays that start at <c>initial</c>, double each failure up to <c>max</c>, with up to <c>jitter</c> × delay added (then capped).</summary>
public sealed class ExponentialBackoff(TimeSpan initial, TimeSpan max, double jitter = 0.2)
{
    private int _failures;

    public int Failures => _failures;

    public TimeSpan Next()
    {
        var exponent = Math.Min(_failures, 30);
        _failures++;
        var baseDelay = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, exponent));
        var withJitter = baseDelay * (1 + (jitter * Random.Shared.NextDouble()));
        return TimeSpan.FromMilliseconds(Math.Min(withJitter, max.TotalMilliseconds));
    }

    public void Reset() => _failures = 0;
}
