using Bilevel.Solvers;
using Bilevel.Solvers.Paper000;

namespace Bilevel.Tests.Solvers.Paper000;

public sealed class StormMomentumTests
{
    [Fact]
    public void Update_Values_AreNewPlusDecayedDifference()
    {
        var storm = new StormMomentum(2, StepSize.Constant(0.5), 1.0);
        storm.Initialize([1.0, -2.0]);
        storm.Update([3.0, 4.0], [0.5, 1.0], 0.25);

        // d = h_new + (1 − η)(d − h_old) = (3 + 0.75·0.5, 4 + 0.75·(−3)).
        Assert.Equal(3.375, storm.Direction[0], 15);
        Assert.Equal(1.75, storm.Direction[1], 15);
    }

    [Fact]
    public void MomentumAt_LargeScale_IsCappedAtOne()
    {
        var storm = new StormMomentum(1, StepSize.Decaying(1000, 0.5), 9e-4);
        Assert.Equal(0.9, storm.MomentumAt(0), 12);
        Assert.Equal(9e-4 * 1000 / Math.Sqrt(100), storm.MomentumAt(99), 12);
        Assert.Equal(1.0, new StormMomentum(1, StepSize.Constant(10), 1).MomentumAt(0));
    }

    [Fact]
    public void Step_Direction_MovesXByMinusAlphaD()
    {
        var storm = new StormMomentum(2, StepSize.Decaying(2, 0.5), 1);
        storm.Initialize([1.0, 2.0]);
        double[] x = [0.0, 0.0];
        storm.Step(3, x);
        Assert.Equal(-1.0, x[0], 15);
        Assert.Equal(-2.0, x[1], 15);
    }
}
