using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;

namespace SidePool.Kubernetes.Runtime.LeaderElection;

/// <summary>
/// Leader election on a <c>coordination.k8s.io/v1</c> Lease, like client-go: a candidate takes the lease when it is
/// free or when it has not changed for a lease duration as observed on this candidate's own clock (the holder's
/// renewTime is never compared with our clock); every write carries the resourceVersion read, so a race ends in a 409;
/// the leader renews every retry period and steps down when it could not renew within the renew deadline.
/// </summary>
public sealed class LeaderElector
{
    private readonly IResourceClient<V1Lease> _leases;
    private readonly LeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private V1Lease? _observed;
    private long _observedAt;
    private volatile bool _isLeader;

    /// <summary>
    /// The lease object (uid) and leaseTransitions of this candidate's last write while it held the lease (a renewal, a
    /// release), or of its last take that it knows succeeded; null while unknown (a take whose answer was lost).
    /// </summary>
    private (string? Uid, int Transitions)? _ownWrite;
    private bool _lastTakeUntouched;

    public LeaderElector(IResourceClient<V1Lease> leases, LeaderElectionOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        if (options.RenewDeadline >= options.LeaseDuration)
        {
            throw new ArgumentException("RenewDeadline must be shorter than LeaseDuration.", nameof(options));
        }

        if (options.RetryPeriod >= options.RenewDeadline)
        {
            throw new ArgumentException("RetryPeriod must be shorter than RenewDeadline.", nameof(options));
        }

        _leases = leases;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public bool IsLeader => _isLeader;

    /// <summary>The holder this candidate last saw.</summary>
    public string? ObservedLeader => _observed?.Spec?.HolderIdentity;

    /// <summary>
    /// The term that began last continues this candidate's previous one: no other candidate held the lease in between.
    /// Every take by another candidate raises leaseTransitions and names it the holder, so the lease it took back is
    /// still the same object, names this candidate or nobody, and has the leaseTransitions of this candidate's own last
    /// write (a renewal whose answer was lost — a starved process, a timeout — changes neither). A leader that stepped
    /// down because it could not renew in time and took its lease back may keep what it learned during its previous
    /// term; after any other holder it may not.
    /// </summary>
    public bool ContinuesOwnTerm { get; private set; }

    /// <summary>
    /// Campaigns until leader, runs <paramref name="onStartedLeading"/> with a token that is cancelled when leadership
    /// ends, and returns once leadership is lost, the work ends on its own (returns or throws: the lease is then
    /// released at once, a leader doing nothing must not keep it), or <paramref name="cancellationToken"/> is cancelled
    /// (releasing the lease if <see cref="LeaderElectionOptions.ReleaseOnCancel"/>).
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> onStartedLeading, CancellationToken cancellationToken)
    {
        if (!await AcquireAsync(cancellationToken))
        {
            return;
        }

        ContinuesOwnTerm = _lastTakeUntouched;
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _isLeader = true;
        _logger.LogInformation("{Identity} became leader of lease {Namespace}/{Lease}.", _options.Identity, _options.Namespace, _options.LeaseName);
        var work = RunLeaderWorkAsync(onStartedLeading, leading.Token);
        var renewing = RenewLoopAsync(leading.Token);
        var workEndedFirst = false;
        try
        {
            workEndedFirst = await Task.WhenAny(work, renewing) == work && !leading.IsCancellationRequested;
        }
        finally
        {
            _isLeader = false;
            await leading.CancelAsync();
            await renewing;
            await work;
            if (workEndedFirst || (cancellationToken.IsCancellationRequested && _options.ReleaseOnCancel))
            {
                await ReleaseAsync();
            }

            _logger.LogInformation(
                "{Identity} stopped leading lease {Namespace}/{Lease}{Why}.",
                _options.Identity,
                _options.Namespace,
                _options.LeaseName,
                workEndedFirst ? " (its work ended; lease released)" : string.Empty);
        }
    }

    /// <summary>One attempt to take or renew the lease. True if this candidate holds it afterwards.</summary>
    public async Task<bool> TryAcquireOrRenewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var current = await _leases.TryGetAsync(_options.LeaseName, _options.Namespace, cancellationToken);
        if (current is null)
        {
            var created = new V1Lease
            {
                Metadata = new V1ObjectMeta { Name = _options.LeaseName, NamespaceProperty = _options.Namespace },
                Spec = new V1LeaseSpec
                {
                    HolderIdentity = _options.Identity,
                    LeaseDurationSeconds = (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds),
                    AcquireTime = now.UtcDateTime,
                    RenewTime = now.UtcDateTime,
                    LeaseTransitions = 0,
                },
            };
            try
            {
                _ownWrite = null;
                var result = await _leases.CreateAsync(created, cancellationToken: cancellationToken);
                Observe(result);
                _ownWrite = (result.Metadata?.Uid, 0);
                _lastTakeUntouched = false;
                return true;
            }
            catch (KubernetesAlreadyExistsException)
            {
                return false;
            }
            catch (KubernetesConflictException)
            {
                return false;
            }
        }

        if (_observed?.Metadata?.ResourceVersion != current.Metadata?.ResourceVersion)
        {
            Observe(current);
        }

        var untouched = _ownWrite is { } mine && mine.Uid == current.Metadata?.Uid && mine.Transitions == (current.Spec?.LeaseTransitions ?? 0)
            && (string.IsNullOrEmpty(current.Spec?.HolderIdentity) || current.Spec.HolderIdentity == _options.Identity);

        var spec = current.Spec ?? new V1LeaseSpec();
        var holder = spec.HolderIdentity;
        var iHoldIt = holder == _options.Identity;
        if (!string.IsNullOrEmpty(holder) && !iHoldIt)
        {
            var duration = spec.LeaseDurationSeconds is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : _options.LeaseDuration;
            if (_time.GetElapsedTime(_observedAt) < duration)
            {
                return false;
            }
        }

        var renewed = new V1Lease
        {
            ApiVersion = current.ApiVersion,
            Kind = current.Kind,
            Metadata = current.Metadata,
            Spec = new V1LeaseSpec
            {
                HolderIdentity = _options.Identity,
                LeaseDurationSeconds = (int)Math.Ceiling(_options.LeaseDuration.TotalSeconds),
                AcquireTime = iHoldIt ? spec.AcquireTime ?? now.UtcDateTime : now.UtcDateTime,
                RenewTime = now.UtcDateTime,
                LeaseTransitions = iHoldIt ? spec.LeaseTransitions ?? 0 : (spec.LeaseTransitions ?? 0) + 1,
                PreferredHolder = spec.PreferredHolder,
                Strategy = spec.Strategy,
            },
        };
        try
        {
            // current.Metadata.ResourceVersion travels with the PUT: a concurrent writer makes this a 409. A renewal is
            // recorded before it is sent (if it lands unanswered, the lease is still as recorded); a take only once it
            // is known to have landed.
            _ownWrite = iHoldIt ? (current.Metadata?.Uid, renewed.Spec.LeaseTransitions ?? 0) : null;
            Observe(await _leases.ReplaceAsync(renewed, cancellationToken: cancellationToken));
            _ownWrite = (current.Metadata?.Uid, renewed.Spec.LeaseTransitions ?? 0);
            _lastTakeUntouched = untouched;
            return true;
        }
        catch (KubernetesConflictException)
        {
            return false;
        }
    }

    private async Task<bool> AcquireAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (await TryAcquireOrRenewAsync(cancellationToken))
                {
                    return true;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch (KubernetesApiException ex)
            {
                _logger.LogWarning("{Identity}: acquiring lease {Lease} failed: {Message}", _options.Identity, _options.LeaseName, ex.Message);
            }

            try
            {
                await Task.Delay(Jittered(_options.RetryPeriod), _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        return false;
    }

    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        var lastRenew = _time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.RetryPeriod, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var renewed = false;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var remaining = _options.RenewDeadline - _time.GetElapsedTime(lastRenew);
            if (remaining > TimeSpan.Zero)
            {
                attempt.CancelAfter(remaining);
                try
                {
                    renewed = await TryAcquireOrRenewAsync(attempt.Token);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (OperationCanceledException)
                {
                    renewed = false;
                }
                catch (KubernetesApiException ex)
                {
                    _logger.LogWarning("{Identity}: renewing lease {Lease} failed: {Message}", _options.Identity, _options.LeaseName, ex.Message);
                }
            }

            if (renewed)
            {
                lastRenew = _time.GetTimestamp();
            }
            else if (_time.GetElapsedTime(lastRenew) >= _options.RenewDeadline || _observed?.Spec?.HolderIdentity is { } h && h != _options.Identity)
            {
                _logger.LogWarning("{Identity}: could not renew lease {Lease} within {Deadline} s; stepping down.", _options.Identity, _options.LeaseName, _options.RenewDeadline.TotalSeconds);
                return;
            }
        }
    }

    private async Task RunLeaderWorkAsync(Func<CancellationToken, Task> onStartedLeading, CancellationToken leadingToken)
    {
        try
        {
            await onStartedLeading(leadingToken);
        }
        catch (OperationCanceledException) when (leadingToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // The leader's work failing must not break the election loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "{Identity}: the leader's work failed.", _options.Identity);
        }
    }

    private async Task ReleaseAsync()
    {
        if (_observed is not { } lease || lease.Spec?.HolderIdentity != _options.Identity)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var released = new V1Lease
        {
            ApiVersion = lease.ApiVersion,
            Kind = lease.Kind,
            Metadata = lease.Metadata,
            Spec = new V1LeaseSpec
            {
                HolderIdentity = null,
                LeaseDurationSeconds = 1,
                RenewTime = now.UtcDateTime,
                AcquireTime = now.UtcDateTime,
                LeaseTransitions = lease.Spec.LeaseTransitions,
                PreferredHolder = lease.Spec.PreferredHolder,
                Strategy = lease.Spec.Strategy,
            },
        };
        using var timeout = new CancellationTokenSource(_options.RenewDeadline);
        try
        {
            _ownWrite = (lease.Metadata?.Uid, lease.Spec.LeaseTransitions ?? 0);
            Observe(await _leases.ReplaceAsync(released, cancellationToken: timeout.Token));
        }
        catch (Exception ex) when (ex is KubernetesApiException or OperationCanceledException)
        {
            _logger.LogWarning("{Identity}: releasing lease {Lease} failed: {Message}", _options.Identity, _options.LeaseName, ex.Message);
        }
    }

    private void Observe(V1Lease lease)
    {
        _observed = lease;
        _observedAt = _time.GetTimestamp();
    }


    private static TimeSpan Jittered(TimeSpan period) => period * (1 + (0.2 * Random.Shared.NextDouble()));
}
