using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Concurrent_optimistic_writers_lose_no_update_and_a_watch_sees_every_version_in_order()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("counter", new JsonObject { ["n"] = "0" }));
        using var watch = await api.WatchAsync($"{Objects.ConfigMaps}?watch=true&resourceVersion={server.CurrentResourceVersion}");
        const int writers = 6;
        const int incrementsEach = 15;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var done = 0; done < incrementsEach;)
            {
                var current = (await api.GetAsync(Objects.ConfigMaps + "/counter")).Body;
                var n = int.Parse(current["data"]!["n"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                current["data"]!["n"] = (n + 1).ToString(CultureInfo.InvariantCulture);
                var response = await api.PutAsync(Objects.ConfigMaps + "/counter", current);
                if (response.Status == HttpStatusCode.OK)
                {
                    done++;
                }
                else
                {
                    Assert.Equal(HttpStatusCode.Conflict, response.Status);
                }
            }
        })));

        var final = await api.GetAsync(Objects.ConfigMaps + "/counter");
        Assert.Equal((writers * incrementsEach).ToString(CultureInfo.InvariantCulture), final.Body["data"]!["n"]!.GetValue<string>());

        var previousVersion = 0L;
        for (var expected = 1; expected <= writers * incrementsEach; expected++)
        {
            var e = await watch.NextAsync();
            Assert.Equal("MODIFIED", e!["type"]!.GetValue<string>());
            Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), e["object"]!["data"]!["n"]!.GetValue<string>());
            var version = long.Parse(e["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            Assert.True(version > previousVersion);
            previousVersion = version;
        }

        Assert.Equal(final.ResourceVersion, previousVersion.ToString(CultureInfo.InvariantCulture));
    }
}
