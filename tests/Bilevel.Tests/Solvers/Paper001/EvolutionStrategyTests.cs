using Bilevel.Hypergradients;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper001;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper001;

public sealed class EsjTests
{
    [Theory]
    [InlineData(3, 2)]
    [InlineData(1, 5)]
    public void Iterate_Counts_EqualCostFormula(int t, int q)
    {
        var solver = new Esj(new EsjOptions(StepSize.Constant(0.05), LowerStep: 0.09, InnerSteps: t, Directions: q));
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: (q + 1) * t), c, "one iteration");
        }
    }

    [Fact]
    public void Iterate_ManyDirections_EstimateApproachesUnrolledDerivative()
    {
        // Finite differences of the T-step map are exact on a quadratic, so with many Gaussian directions the
        // estimate approaches ∇x f(x, y_T) + (∂y_T/∂x)ᵀ ∇y f(x, y_T), i.e. reverse-mode ITD through the same T steps.
        var problem = TestProblems.Quadratic(10, 20, 3);
        var x = TestProblems.RandomVector(10, 1);
        var y = TestProblems.RandomVector(20, 2);
        var solver = new Esj(new EsjOptions(StepSize.Constant(1e-12), LowerStep: 0.08, InnerSteps: 6, Directions: 20000, Smoothing: 1e-3));
        var state = (Esj.State)solver.Start(problem, x, y, 3);
        solver.Iterate(state);

        var oracle = TestProblems.Quadratic(10, 20, 3);
        var trajectory = InnerGradientDescent.Run(oracle, x, y, 6, 0.08, keepHistory: true);
        var expected = new double[10];
        new IterativeDifferentiation().Estimate(oracle, x, trajectory, expected);
        Check.Close(expected, state.Hypergradient, 0.05, "ESJ vs unrolled derivative");
        Check.Close(trajectory.Last, state.Y, 1e-13, "y after the lower solve");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("InnerSteps", () => new Esj(new EsjOptions { InnerSteps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("Directions", () => new Esj(new EsjOptions { Directions = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("Smoothing", () => new Esj(new EsjOptions { Smoothing = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("UpperStep", () => new Esj(new EsjOptions { UpperStep = StepSize.Constant(-1) }));
    }
}

public sealed class HozogTests
{
    [Theory]
    [InlineData(3, 2)]
    [InlineData(1, 5)]
    public void Iterate_Counts_EqualCostFormula(int t, int q)
    {
        var solver = new Hozog(new HozogOptions(StepSize.Constant(0.05), LowerStep: 0.09, InnerSteps: t, Directions: q));
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperValues: q + 1, lowerGradientsY: (q + 1) * t), c, "one iteration (values of f only)");
        }
    }

    [Fact]
    public void Iterate_ManyDirections_EstimateApproachesUnrolledDerivative()
    {
        var problem = TestProblems.Quadratic(10, 20, 3);
        var x = TestProblems.RandomVector(10, 1);
        var y = TestProblems.RandomVector(20, 2);
        var solver = new Hozog(new HozogOptions(StepSize.Constant(1e-12), LowerStep: 0.08, InnerSteps: 6, Directions: 40000, Smoothing: 1e-5));
        var state = (Hozog.State)solver.Start(problem, x, y, 3);
        solver.Iterate(state);

        var oracle = TestProblems.Quadratic(10, 20, 3);
        var trajectory = InnerGradientDescent.Run(oracle, x, y, 6, 0.08, keepHistory: true);
        var expected = new double[10];
        new IterativeDifferentiation().Estimate(oracle, x, trajectory, expected);
        Check.Close(expected, state.Hypergradient, 0.05, "HOZOG vs gradient of f(x, y_T(x))");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("InnerSteps", () => new Hozog(new HozogOptions { InnerSteps = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("Directions", () => new Hozog(new HozogOptions { Directions = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("LowerStep", () => new Hozog(new HozogOptions { LowerStep = 0 }));
    }
}
