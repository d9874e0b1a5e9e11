using Bilevel.Solvers.Paper003;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper003;

public sealed class StochasticUpdatesTests
{
    [Fact]
    public void Storm_Weights_GiveCurrentPlusDampedCorrection()
    {
        double[] estimate = [1, 2, 3];
        double[] current = [0.5, -1, 4];
        double[] previous = [2, 2, -2];
        StochasticUpdates.Storm(estimate, current, previous, 0.25);
        // d = cur + 0.75 (d − prev)
        Check.Close(new[] { 0.5 + (0.75 * -1), -1 + 0.0, 4 + (0.75 * 5) }, estimate, 1e-15, "STORM");
    }

    [Fact]
    public void Storm_WeightOne_IsPlainGradient()
    {
        double[] estimate = [7, -7];
        StochasticUpdates.Storm(estimate, [1, 2], [3, 4], 1);
        Check.BitwiseEqual(new double[] { 1, 2 }, estimate, "a = 1");
    }

    [Fact]
    public void MovingAverage_Theta_MixesDirection()
    {
        double[] average = [2, 4];
        StochasticUpdates.MovingAverage(average, [10, 0], 0.5);
        Check.Close(new double[] { 6, 2 }, average, 1e-15, "w");
    }

    [Fact]
    public void ProjectOntoBall_OutsideAndInside_ShrinksOnlyOutside()
    {
        double[] outside = [3, 4];
        Assert.True(StochasticUpdates.ProjectOntoBall(outside, 1));
        Check.Close(new[] { 0.6, 0.8 }, outside, 1e-15, "projected");
        double[] inside = [0.3, 0.4];
        Assert.False(StochasticUpdates.ProjectOntoBall(inside, 1));
        Assert.False(StochasticUpdates.ProjectOntoBall(outside, double.PositiveInfinity));
        Check.BitwiseEqual(new[] { 0.3, 0.4 }, inside, "inside unchanged");
    }
}
