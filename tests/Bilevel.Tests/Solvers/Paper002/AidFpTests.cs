using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper002;

public sealed class AidFpTests
{
    [Theory]
    [InlineData(4, 5)]
    [InlineData(0, 1)]
    public void Iterate_Counts_EqualCostFormula(int t, int k)
    {
        var solver = new AidFp(new AidFpOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), InnerSteps: t, FixedPointSteps: k));
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: t, hvps: k - 1, crossProducts: 1), c, "one iteration");
        }
    }

    [Fact]
    public void Iterate_FromLowerSolution_EqualsFixedPointRecursion()
    {
        // w_{j+1} = (I − α∇²yy g) w_j + ∇y f from w_0 = 0, K steps; ∇̂Φ = ∇x f − α ∇²xy g w_K.
        var problem = TestProblems.Quadratic(10, 20, 1);
        var (x, y) = Paper002Kit.AtLowerSolution(problem, 6);
        const double alpha = 0.05;
        var b = Paper002Kit.UpperGradientY(problem, x, y);
        var w = new double[20];
        var product = new double[20];
        for (var j = 0; j < 6; j++)
        {
            problem.LowerHvp(x, y, w, product);
            for (var i = 0; i < 20; i++)
            {
                w[i] = w[i] - (alpha * product[i]) + b[i];
            }
        }

        for (var i = 0; i < 20; i++)
        {
            w[i] *= alpha;
        }

        var solver = new AidFp(new AidFpOptions(StepSize.Constant(alpha), StepSize.Constant(0.1), InnerSteps: 0, FixedPointSteps: 6));
        var state = (AidFp.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);
        Check.Close(Paper002Kit.Implicit(problem, x, y, w), state.Hypergradient, 1e-10, "AID-FP estimate");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("FixedPointSteps", () => new AidFp(new AidFpOptions { FixedPointSteps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerStep", () => new AidFp(new AidFpOptions { InnerStep = StepSize.Decaying(0.1, 0.5) }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerSteps", () => new AidFp(new AidFpOptions { InnerSteps = -1 }));
    }
}
