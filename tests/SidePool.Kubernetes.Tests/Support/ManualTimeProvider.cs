namespace SidePool.Kubernetes.Tests.Support;

/// <summary>A clock that only moves when told (timers not supported).</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks;
    private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by)
    {
        Interlocked.Add(ref _ticks, by.Ticks);
        _now += by;
    }
}
