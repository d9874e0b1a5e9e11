using Bilevel.Numerics;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper002;

public sealed class ReverseTests
{
    [Theory]
    [InlineData(6, 3)]
    [InlineData(2, 5)]
    public void Iterate_Counts_EqualCostFormula(int t, int j)
    {
        var solver = new Reverse(new ReverseOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), InnerSteps: t, TruncationSteps: j));
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        var differentiated = Math.Min(t, j);
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: t, hvps: differentiated - 1, crossProducts: differentiated), c, "one iteration");
        }
    }

    [Fact]
    public void Iterate_FromLowerSolution_DifferentiatesOnlyLastSteps()
    {
        // At y = y*(x) every inner iterate is y*, so truncation to J steps gives the Neumann sum with J terms.
        var problem = TestProblems.Quadratic(10, 20, 1);
        var (x, y) = Paper002Kit.AtLowerSolution(problem, 4);
        const double alpha = 0.05;
        var solver = new Reverse(new ReverseOptions(StepSize.Constant(alpha), StepSize.Constant(0.1), InnerSteps: 9, TruncationSteps: 4));
        var state = (Reverse.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);
        var v = Paper002Kit.NeumannSum(problem, x, y, Paper002Kit.UpperGradientY(problem, x, y), alpha, 4);
        Check.Close(Paper002Kit.Implicit(problem, x, y, v), state.Hypergradient, 1e-10, "reverse estimate, J = 4");
    }

    [Fact]
    public void Iterate_FullTruncation_MatchesItdBiOBitwise()
    {
        var reverse = new Reverse(new ReverseOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), InnerSteps: 5, TruncationSteps: 5));
        var itd = new ItdBiO(new ItdBiOOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), InnerSteps: 5));
        var problem = SolverKit.CheckProblem();
        var a = reverse.Start(problem, new double[10], new double[20], 0);
        var b = itd.Start(problem, new double[10], new double[20], 0);
        for (var k = 0; k < 4; k++)
        {
            reverse.Iterate(a);
            itd.Iterate(b);
        }

        Check.BitwiseEqual(b.X, a.X, "x");
        Check.BitwiseEqual(b.Y, a.Y, "y");
    }

    [Fact]
    public void Iterate_ColdStart_RestartsInnerLoopFromLowerStart()
    {
        // WarmStart = false: the second inner loop starts again from y₀, at x₁.
        var problem = TestProblems.Quadratic(10, 20, 1);
        var y0 = TestProblems.RandomVector(20, 8);
        var solver = new Reverse(new ReverseOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), InnerSteps: 3, TruncationSteps: 3, WarmStart: false));
        var state = solver.Start(problem, new double[10], y0, 0);
        solver.Iterate(state);
        var x1 = state.X.ToArray();
        solver.Iterate(state);
        var expected = y0.ToArray();
        for (var t = 0; t < 3; t++)
        {
            Vectors.Axpy(-0.05, TestProblems.LowerGradientY(problem, x1, expected), expected);
        }

        Check.Close(expected, state.Y, 1e-13, "y after the second (cold-started) inner loop");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("TruncationSteps", () => new Reverse(new ReverseOptions { TruncationSteps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerSteps", () => new Reverse(new ReverseOptions { InnerSteps = -2 }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerStep", () => new Reverse(new ReverseOptions { InnerStep = StepSize.Constant(double.NaN) }));
    }
}
