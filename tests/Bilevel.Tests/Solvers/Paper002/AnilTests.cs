using Bilevel.Numerics;
using Bilevel.Problems;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper002;

public sealed class AnilTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(1)]
    public void Iterate_Counts_EqualCostFormula(int t)
    {
        var solver = new Anil(new AnilOptions { InnerSteps = t, TaskBatchSize = 16 });
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(
                SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: t, hvps: t, crossProducts: t, upperSamples: 16, lowerSamples: 2 * t * 16),
                c, "one iteration", samples: true);
        }
    }

    [Fact]
    public void Iterate_FullBatch_MetaGradientMatchesFiniteDifferencesOfUnrolledLoss()
    {
        // F(x, y₀) = f(x, y_T(x, y₀)) is quadratic on a quadratic problem, so central differences are exact up to rounding.
        var problem = TestProblems.Quadratic(4, 6, 1);
        var x = TestProblems.RandomVector(4, 2);
        var y0 = TestProblems.RandomVector(6, 3);
        const double alpha = 0.07;
        const int steps = 4;
        var solver = new Anil(new AnilOptions(StepSize.Constant(alpha), StepSize.Constant(1e-3), steps, TaskBatchSize: 0));
        var state = (Anil.State)solver.Start(problem, x, y0, 0);
        solver.Iterate(state);
        const double h = 1e-4;
        for (var i = 0; i < 4; i++)
        {
            var plus = x.ToArray();
            var minus = x.ToArray();
            plus[i] += h;
            minus[i] -= h;
            var fd = (Unrolled(problem, plus, y0, alpha, steps) - Unrolled(problem, minus, y0, alpha, steps)) / (2 * h);
            Check.Close(fd, state.UpperGradient[i], 1e-6, $"∂/∂x_{i}", floor: 1e-3);
        }

        for (var j = 0; j < 6; j++)
        {
            var plus = y0.ToArray();
            var minus = y0.ToArray();
            plus[j] += h;
            minus[j] -= h;
            var fd = (Unrolled(problem, x, plus, alpha, steps) - Unrolled(problem, x, minus, alpha, steps)) / (2 * h);
            Check.Close(fd, state.InitializationGradient[j], 1e-6, $"∂/∂y₀_{j}", floor: 1e-3);
        }

        var expectedInit = y0.ToArray();
        Vectors.Axpy(-1e-3, state.InitializationGradient, expectedInit);
        Check.Close(expectedInit, state.Initialization, 1e-14, "y₀ after the meta step");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("TaskBatchSize", () => new Anil(new AnilOptions { TaskBatchSize = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerSteps", () => new Anil(new AnilOptions { InnerSteps = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("OuterStep", () => new Anil(new AnilOptions { OuterStep = StepSize.Constant(-1) }));
    }

    private static double Unrolled(BilevelProblem problem, double[] x, double[] y0, double alpha, int steps)
    {
        var y = y0.ToArray();
        for (var t = 0; t < steps; t++)
        {
            Vectors.Axpy(-alpha, TestProblems.LowerGradientY(problem, x, y), y);
        }

        return problem.UpperValue(x, y);
    }
}
