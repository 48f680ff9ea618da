using Xunit;

namespace SidePool.Core.Tests;

public sealed class ServerConnectionBudgetTests
{
    [Fact]
    public void PerPodIsSizePlusReserveTimesDatabaseEntries()
    {
        Assert.Equal(13, ServerConnectionBudget.PerPod(TestData.Pool(s => { s.Pool.Size = 10; s.Pool.ReserveSize = 3; }).Spec!));
        Assert.Equal(26, ServerConnectionBudget.PerPod(TestData.Pool(s => { s.Pool.Size = 10; s.Pool.ReserveSize = 3; s.Backend!.ReadOnlyHost = "replica"; }).Spec!));
    }
}
