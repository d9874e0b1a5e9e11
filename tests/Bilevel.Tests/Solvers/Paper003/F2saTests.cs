using Bilevel.Solvers;
using Bilevel.Solvers.Paper003;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper003;

public sealed class F2saTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Iterate_Counts_NoSecondOrderOracles(int t)
    {
        var (_, counts) = SolverKit.CountIterations(new F2sa(new F2saOptions { InnerSteps = t, BatchSize = 16 }), SolverKit.CheckProblem(), 3);
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: t, lowerGradientsX: 2, lowerGradientsY: 2 * t), c, "F²SA iteration");
        }
    }

    [Fact]
    public void Iterate_FullBatch_MatchesHandWrittenAlgorithm1()
    {
        var problem = TestProblems.Quadratic(10, 20, 6);
        var x = TestProblems.RandomVector(10, 14);
        var y = TestProblems.RandomVector(20, 15);
        var z = y.ToArray();
        double alpha = 0.01, gamma = 0.05, xi = 3, lambda = 2, delta = 0.5;
        var solver = new F2sa(new F2saOptions(StepSize.Constant(alpha), StepSize.Constant(gamma), xi, lambda, delta, InnerSteps: 2, BatchSize: 0));
        var state = (F2sa.State)solver.Start(problem, x, y, 0);
        var gz = new double[20];
        var fy = new double[20];
        var gy = new double[20];
        var fx = new double[10];
        var gxy = new double[10];
        var gxz = new double[10];
        for (var k = 0; k < 3; k++)
        {
            solver.Iterate(state);
            for (var m = 0; m < 2; m++)
            {
                problem.LowerGradientY(x, z, gz);
                problem.UpperGradientY(x, y, fy);
                problem.LowerGradientY(x, y, gy);
                for (var i = 0; i < 20; i++)
                {
                    z[i] -= gamma * gz[i];
                    y[i] -= alpha * (fy[i] + (lambda * gy[i]));
                }
            }

            problem.UpperGradientX(x, y, fx);
            problem.LowerGradientX(x, y, gxy);
            problem.LowerGradientX(x, z, gxz);
            for (var i = 0; i < 10; i++)
            {
                x[i] -= xi * alpha * (fx[i] + (lambda * (gxy[i] - gxz[i])));
            }

            lambda += delta;
            Check.Close(x, state.X, 1e-12, $"x_{k + 1}");
            Check.Close(y, state.PenaltyY, 1e-12, $"y_{k + 1} (penalized)");
            Check.Close(z, state.Y, 1e-12, $"z_{k + 1} (auxiliary lower)");
            Assert.Equal(lambda, state.Multiplier);
        }
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("StepRatio", () => new F2sa(new F2saOptions { StepRatio = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("Multiplier", () => new F2sa(new F2saOptions { Multiplier = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("MultiplierIncrement", () => new F2sa(new F2saOptions { MultiplierIncrement = -0.1 }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerSteps", () => new F2sa(new F2saOptions { InnerSteps = 0 }));
    }

    [Fact]
    public void Iterate_SharedLowerBatch_CancelsLowerNoiseInPenaltyGap()
    {
        // From y = z with α λ = γ, one step gives y − z = −α ∇y f + γ (∇y g(z; φ_z) − ∇y g(y; φ_y)): with one shared
        // lower batch the lower terms cancel and only the (λ-times smaller) upper-level noise is left in the gap.
        var problem = SolverKit.CheckProblem();
        var x = TestProblems.RandomVector(problem.UpperDimension, 21);
        var y = TestProblems.RandomVector(problem.LowerDimension, 22);
        double[] Gap(bool shared, int batch)
        {
            var solver = new F2sa(new F2saOptions(StepSize.Constant(0.0005), StepSize.Constant(0.05), 1, 100, BatchSize: batch, SharedLowerBatch: shared));
            var state = (F2sa.State)solver.Start(problem, x, y, 3);
            solver.Iterate(state);
            return state.PenaltyY.Zip(state.Y, (a, b) => a - b).ToArray();
        }

        var exact = Gap(false, 0);
        double Error(double[] gap) => Math.Sqrt(gap.Zip(exact, (a, b) => (a - b) * (a - b)).Sum());
        var shared = Error(Gap(true, 16));
        var independent = Error(Gap(false, 16));
        Assert.True(shared < 0.2 * independent, $"shared-batch gap error {shared} vs independent {independent}");
    }
}
