using System.Text.Json.Nodes;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class GracePeriodTests
{
    private static long? Written(GracePeriod grace, string spec)
    {
        var patch = new PatchOperations();
        grace.WriteTo(patch, JsonNode.Parse(spec)!.AsObject());
        if (patch.Operations.Count == 0)
        {
            return null;
        }

        var operation = Assert.Single(patch.Operations)!;
        Assert.Equal("add", operation["op"]!.GetValue<string>());
        Assert.Equal("/spec/terminationGracePeriodSeconds", operation["path"]!.GetValue<string>());
        return operation["value"]!.GetValue<long>();
    }

    [Theory]
    [InlineData(310.0, "{}", 310L)]
    [InlineData(30.0, "{}", null)]
    [InlineData(30.5, "{}", 31L)]
    [InlineData(310.0, """{ "terminationGracePeriodSeconds": 600 }""", null)]
    [InlineData(31.0, """{ "terminationGracePeriodSeconds": 30 }""", 31L)]
    [InlineData(20.0, """{ "terminationGracePeriodSeconds": 10 }""", 20L)]
    public void Raised_to_the_whole_seconds_needed_never_lowered(double seconds, string spec, long? expected)
    {
        var grace = new GracePeriod();
        grace.Cover(TimeSpan.FromSeconds(seconds));

        Assert.Equal(expected, Written(grace, spec));
    }

    [Fact]
    public void The_longest_need_counts_and_none_writes_nothing()
    {
        var grace = new GracePeriod();
        Assert.Null(Written(grace, """{ "terminationGracePeriodSeconds": 0 }"""));

        grace.Cover(TimeSpan.FromSeconds(70));
        grace.Cover(TimeSpan.FromSeconds(40));
        Assert.Equal(70L, Written(grace, "{}"));
        Assert.Equal(30L, GracePeriod.KubernetesDefaultSeconds);
    }
}
