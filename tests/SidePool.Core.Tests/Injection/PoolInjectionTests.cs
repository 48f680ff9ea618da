using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class PoolInjectionTests
{
    [Fact]
    public void Older_pools_come_first_then_the_smaller_name()
    {
        var young = TestPools.Pool("a", created: TestPools.Old.AddDays(1));
        var oldB = TestPools.Pool("b", created: TestPools.Old);
        var oldC = TestPools.Pool("c", created: TestPools.Old);
        var upper = TestPools.Pool("C", created: TestPools.Old);

        Assert.Equal(["C", "b", "c", "a"], PoolInjection.OldestFirst([young, oldC, oldB, upper]).Select(p => p.Name));
        Assert.Empty(PoolInjection.OldestFirst([]));
    }
}
