using SidePool.Api;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class EventPlannerTests
{
    private static ConnectionPoolStatus Status(string current, params (string Version, string State)[] versions) => new()
    {
        CurrentVersion = current,
        Versions = [.. versions.Select(v => new PoolVersionStatus { Version = v.Version, State = v.State })],
        Conditions = [],
    };

    [Fact]
    public void NewVersionAndRetirementAreEvents()
    {
        var created = EventPlanner.Plan(null, Status(TestData.V1, (TestData.V1, "Current")));
        Assert.Equal(["VersionCreated"], created.Select(e => e.Reason));

        var changed = EventPlanner.Plan(Status(TestData.V1, (TestData.V1, "Current")), Status(TestData.V2, (TestData.V2, "Current"), (TestData.V1, "Draining")));
        Assert.Equal(["VersionCreated"], changed.Select(e => e.Reason));
        Assert.Contains(TestData.V1, changed[0].Note, StringComparison.Ordinal);

        var retired = EventPlanner.Plan(Status(TestData.V2, (TestData.V2, "Current"), (TestData.V1, "Draining")), Status(TestData.V2, (TestData.V2, "Current"), (TestData.V1, "Retired")));
        Assert.Equal(["VersionRetired"], retired.Select(e => e.Reason));

        Assert.Empty(EventPlanner.Plan(Status(TestData.V2, (TestData.V1, "Retired")), Status(TestData.V2, (TestData.V1, "Retired"))));
    }

    [Fact]
    public void ConflictAndBudgetAreWarningsWhenTheyTurnTrue()
    {
        var before = Status(TestData.V1);
        var after = Status(TestData.V1) with
        {
            Conditions =
            [
                ConditionMerger.Make(null, ConditionTypes.Conflict, true, "PodsSelectedByOtherPools", "x", 1, TestData.Now),
                ConditionMerger.Make(null, ConditionTypes.BudgetExceeded, true, "OverBudget", "y", 1, TestData.Now),
            ],
        };
        var events = EventPlanner.Plan(before, after);
        Assert.Equal(["Conflict", "BudgetExceeded"], events.Select(e => e.Reason));
        Assert.All(events, e => Assert.Equal("Warning", e.Type));
        Assert.Empty(EventPlanner.Plan(after, after));
    }
}
