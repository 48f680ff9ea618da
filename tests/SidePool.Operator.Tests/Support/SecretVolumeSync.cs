using System.Text;
using SidePool.Testing;

namespace SidePool.Operator.Tests.Support;

/// <summary>
/// The kubelet's part of a Secret volume: the Secret as the API server has it, mirrored into a <see cref="PoolMount"/>
/// (atomic <c>..data</c> swaps) whenever its resourceVersion changes.
/// </summary>
public sealed class SecretVolumeSync : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private SecretVolumeSync(OperatorHarness harness, string ns, string secret, PoolMount mount, TimeSpan period)
    {
        _loop = Task.Run(async () =>
        {
            string? seen = null;
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var live = await harness.Secrets.TryGetAsync(secret, ns, _stop.Token);
                    if (live?.Metadata?.ResourceVersion is { } version && version != seen)
                    {
                        mount.Publish(live.Data!.ToDictionary(d => d.Key, d => Encoding.UTF8.GetString(d.Value)));
                        seen = version;
                        Interlocked.Increment(ref _syncs);
                    }

                    await Task.Delay(period, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    private int _syncs;

    /// <summary>How many generations were published to the mount.</summary>
    public int Syncs => Volatile.Read(ref _syncs);

    public static async Task<SecretVolumeSync> StartAsync(OperatorHarness harness, string ns, string secret, PoolMount mount, TimeSpan? period = null)
    {
        var sync = new SecretVolumeSync(harness, ns, secret, mount, period ?? TimeSpan.FromMilliseconds(100));
        await OperatorHarness.EventuallyAsync(() => Task.FromResult(sync.Syncs), n => n > 0, what: $"Secret {secret} mounted");
        return sync;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
