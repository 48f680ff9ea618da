using System.Diagnostics;

namespace SidePool.Agent.Health;

/// <summary>
/// Runs a check at most once at a time and reuses its result for a while, so concurrent or frequent probes
/// do not stampede PgBouncer or the database.
/// </summary>
internal sealed class CachedCheck(Func<CancellationToken, Task<HealthResult>> check, TimeSpan passTtl, TimeSpan failTtl)
{
    private readonly Lock _gate = new();
    private Task<HealthResult>? _inFlight;
    private HealthResult? _last;
    private long _lastAt;

    public Task<HealthResult> GetAsync()
    {
        lock (_gate)
        {
            if (_last is { } last && Stopwatch.GetElapsedTime(_lastAt) < (last.Ok ? passTtl : failTtl))
            {
                return Task.FromResult(last);
            }

            return _inFlight ??= RunAsync();
        }
    }

    /// <summary>Forgets the cached result (e.g. when the configuration or the drain state changed).</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _last = null;
        }
    }

    private async Task<HealthResult> RunAsync()
    {
        await Task.Yield();
        HealthResult result;
        try
        {
            result = await check(CancellationToken.None);
        }
        catch (Exception e)
        {
            result = HealthResult.Fail($"check failed: {e.Message}");
        }

        lock (_gate)
        {
            _last = result;
            _lastAt = Stopwatch.GetTimestamp();
            _inFlight = null;
        }

        return result;
    }
}
