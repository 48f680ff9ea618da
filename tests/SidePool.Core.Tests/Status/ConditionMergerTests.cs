using System.Text.RegularExpressions;
using Xunit;

namespace SidePool.Core.Tests;

public sealed partial class ConditionMergerTests
{
    [Fact]
    public void TransitionTimeMovesOnlyWhenTheStatusFlips()
    {
        var first = ConditionMerger.Make(null, "Ready", true, "Ready", "ok", 1, TestData.Now);
        var same = ConditionMerger.Make([first], "Ready", true, "StillReady", "other message", 2, TestData.Now.AddHours(1));
        var flipped = ConditionMerger.Make([same], "Ready", false, "PodsNotReady", "1 pod", 2, TestData.Now.AddHours(2));
        Assert.Equal(TestData.Now, first.LastTransitionTime);
        Assert.Equal(TestData.Now, same.LastTransitionTime);
        Assert.Equal("StillReady", same.Reason);
        Assert.Equal(2, same.ObservedGeneration);
        Assert.Equal(TestData.Now.AddHours(2), flipped.LastTransitionTime);
    }

    [Theory]
    [InlineData("CrashLoopBackOff", "CrashLoopBackOff")]
    [InlineData("image pull back-off", "ImagePullBackOff")]
    [InlineData("42 errors", "Errors")]
    [InlineData("", "Unknown")]
    [InlineData(null, "Unknown")]
    public void ReasonsAreCamelCaseAndValid(string? text, string expected)
    {
        var reason = ConditionMerger.Reason(text);
        Assert.Equal(expected, reason);
        Assert.Matches(ReasonPattern(), reason);
    }

    [Fact]
    public void TimesHaveWholeSeconds() =>
        Assert.Equal(TestData.Now, ConditionMerger.Truncate(TestData.Now.AddMilliseconds(999)));

    [GeneratedRegex("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")]
    private static partial Regex ReasonPattern();
}
