using SidePool.Api;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class NextLookTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static NextLookInputs Inputs(ConnectionPoolStatus? status = null, bool published = true, string? desired = "aaaaaaaaaa", IReadOnlyList<string>? secrets = null, IReadOnlyList<ObservedPod>? pods = null) => new()
    {
        DesiredShortVersion = desired,
        Published = published,
        VersionSecretShortVersions = secrets ?? ["aaaaaaaaaa"],
        Status = status ?? new ConnectionPoolStatus { Versions = [new PoolVersionStatus { Version = "aaaaaaaaaa", State = VersionStates.Current }] },
        Pods = pods ?? [],
        Now = Now,
        AfterPublish = TimeSpan.FromMilliseconds(200),
        RetiredSecretGrace = TimeSpan.FromSeconds(10),
        RecheckInterval = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public void A_settled_pool_waits_for_events()
    {
        Assert.Null(NextLook.After(Inputs()));
    }

    [Fact]
    public void A_version_not_yet_published_is_looked_at_again_soon_to_stamp()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(200), NextLook.After(Inputs(published: false)));
    }

    [Fact]
    public void A_pool_that_cannot_render_waits_for_events()
    {
        Assert.Null(NextLook.After(Inputs(published: false, desired: null)));
    }

    [Fact]
    public void A_kept_retired_secret_is_looked_at_when_its_grace_ends()
    {
        var status = new ConnectionPoolStatus
        {
            Versions =
            [
                new PoolVersionStatus { Version = "aaaaaaaaaa", State = VersionStates.Current },
                new PoolVersionStatus { Version = "bbbbbbbbbb", State = VersionStates.Retired, RetiredAt = Now.AddSeconds(-4) },
            ],
        };

        Assert.Equal(TimeSpan.FromSeconds(6), NextLook.After(Inputs(status, secrets: ["aaaaaaaaaa", "bbbbbbbbbb"])));
    }

    [Fact]
    public void Draining_versions_are_looked_at_every_recheck_interval()
    {
        var status = new ConnectionPoolStatus
        {
            Versions =
            [
                new PoolVersionStatus { Version = "aaaaaaaaaa", State = VersionStates.Current },
                new PoolVersionStatus { Version = "bbbbbbbbbb", State = VersionStates.Draining },
            ],
        };

        Assert.Equal(TimeSpan.FromSeconds(30), NextLook.After(Inputs(status, secrets: ["aaaaaaaaaa", "bbbbbbbbbb"])));
    }

    [Fact]
    public void Missing_pods_are_looked_at_every_recheck_interval()
    {
        var status = new ConnectionPoolStatus
        {
            Versions = [new PoolVersionStatus { Version = "aaaaaaaaaa", State = VersionStates.Current }],
            Targets = new TargetsStatus { Missing = 1 },
        };

        Assert.Equal(TimeSpan.FromSeconds(30), NextLook.After(Inputs(status)));
    }
}
