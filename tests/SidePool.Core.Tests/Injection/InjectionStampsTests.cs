using System.Text.Json.Nodes;
using SidePool.Contract;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class InjectionStampsTests
{
    private static List<string> Written(InjectionStamps stamps, string pod)
    {
        var patch = new PatchOperations();
        stamps.WriteTo(patch, JsonNode.Parse(pod)!.AsObject());
        return [.. patch.Operations.Select(o => $"{o!["path"]!.GetValue<string>()} {o["value"]!.ToJsonString()}")];
    }

    private static InjectionStamps Stamps()
    {
        var stamps = new InjectionStamps();
        Assert.False(stamps.Any);
        stamps.Add("reports-db", "bbbbbbbbbb");
        stamps.Add("orders-db", "aaaaaaaaaa");
        Assert.True(stamps.Any);
        return stamps;
    }

    [Fact]
    public void Existing_labels_and_annotations_get_one_operation_per_key_the_annotation_merged_with_earlier_pools()
    {
        var written = Written(Stamps(), """{ "metadata": { "labels": { "app": "orders" }, "annotations": { "sidepool.dev/injected": "legacy=0123456789,orders-db=0000000000" } } }""");

        Assert.Equal(
            [
                "/metadata/labels/pools.sidepool.dev~1orders-db \"aaaaaaaaaa\"",
                "/metadata/labels/pools.sidepool.dev~1reports-db \"bbbbbbbbbb\"",
                "/metadata/annotations/sidepool.dev~1injected \"legacy=0123456789,orders-db=aaaaaaaaaa,reports-db=bbbbbbbbbb\"",
            ],
            written);
    }

    [Fact]
    public void Missing_metadata_labels_and_annotations_are_created()
    {
        Assert.Equal(
            [
                "/metadata {}",
                "/metadata/labels {\"pools.sidepool.dev/orders-db\":\"aaaaaaaaaa\",\"pools.sidepool.dev/reports-db\":\"bbbbbbbbbb\"}",
                "/metadata/annotations {\"sidepool.dev/injected\":\"orders-db=aaaaaaaaaa,reports-db=bbbbbbbbbb\"}",
            ],
            Written(Stamps(), """{ "spec": {} }"""));
        Assert.Equal(
            ["/metadata/labels {\"pools.sidepool.dev/orders-db\":\"aaaaaaaaaa\",\"pools.sidepool.dev/reports-db\":\"bbbbbbbbbb\"}", "/metadata/annotations/sidepool.dev~1injected \"orders-db=aaaaaaaaaa,reports-db=bbbbbbbbbb\""],
            Written(Stamps(), """{ "metadata": { "annotations": { "team": "shop" } } }"""));
    }

    [Fact]
    public void The_keys_are_the_contracts()
    {
        var stamps = new InjectionStamps();
        var pool = "orders-" + new string('x', 80);
        stamps.Add(pool, "aaaaaaaaaa");
        var written = Written(stamps, """{ "metadata": { "labels": {}, "annotations": {} } }""");

        Assert.Equal("/metadata/labels/" + JsonPointer.Escape(VersionContract.Labels.PodPool(pool)) + " \"aaaaaaaaaa\"", written[0]);
        Assert.StartsWith("/metadata/annotations/" + JsonPointer.Escape(VersionContract.Annotations.Injected) + " ", written[1], StringComparison.Ordinal);
    }
}
