namespace Bilevel.Tests.TestSupport;

public class AllocationsTests
{
    [Fact]
    public void SteadyState_ActionAllocatesEveryCall_ReportsTheAllocation()
    {
        object? sink = null;
        var bytes = Allocations.SteadyState(() => sink = new byte[100]);
        Assert.True(bytes >= 3 * 100, $"measured {bytes} bytes");
        Assert.NotNull(sink);
    }

    [Fact]
    public void SteadyState_ActionAllocatesOnce_ReportsZero()
    {
        var calls = 0;
        object? sink = null;
        var bytes = Allocations.SteadyState(() =>
        {
            if (++calls == 5)
            {
                sink = new byte[100];
            }
        });
        Assert.Equal(0, bytes);
        Assert.NotNull(sink);
    }
}
