using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary><c>--service NS/NAME=127.0.0.1:PORT</c>: the address the API server calls a webhook Service at.</summary>
public sealed class ServiceMapTests
{
    [Fact]
    public void A_service_resolves_to_its_loopback_address_and_anything_else_is_refused()
    {
        var map = ServiceMap.Parse(["sidepool-system/sidepool-webhook=127.0.0.1:9443"]);

        Assert.Equal(new Uri("https://127.0.0.1:9443/"), map.Resolve(new ServiceReference { NamespaceProperty = "sidepool-system", Name = "sidepool-webhook", Port = 443, Path = "/mutate-pods" }));
        Assert.Null(map.Resolve(new ServiceReference { NamespaceProperty = "other", Name = "sidepool-webhook" }));
        Assert.Throws<ArgumentException>(() => ServiceMap.Parse(["sidepool-webhook=127.0.0.1:9443"]));
        Assert.Throws<ArgumentException>(() => ServiceMap.Parse(["a/b=10.0.0.1:9443"])); // traffic stays on loopback
        Assert.Throws<ArgumentException>(() => ServiceMap.Parse(["a/b=127.0.0.1:99999"]));
    }
}
