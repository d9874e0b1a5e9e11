using Bilevel.Hypergradients;
using Bilevel.Problems;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper000;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper000;

/// <summary>Tests of paper 000's STORM baselines BP, NS and CG (one class per method below).</summary>
public static class BaselineSetup
{
    /// <summary>α = 0.02 constant, τ = 4.5 α = 0.09, η = 0.5.</summary>
    public static StepSize Outer => StepSize.Constant(0.02);

    /// <summary>A quadratic (one sample per level: full batches), a start x₀ and y₀ = y*(x₀).</summary>
    public static (QuadraticBilevelProblem Problem, double[] X, double[] Y) AtLowerSolution(int seed)
    {
        var problem = TestProblems.Quadratic(10, 20, seed);
        var x = TestProblems.RandomVector(10, seed + 10);
        var y = new double[20];
        problem.ExactLowerSolution(x, y);
        return (problem, x, y);
    }

    public static double[] Exact(QuadraticBilevelProblem problem, ReadOnlySpan<double> x)
    {
        var exact = new double[10];
        problem.ExactHypergradient(x, exact);
        return exact;
    }

    /// <summary>With full batches the correction at the old point equals the previous estimate, so d = h after every iteration.</summary>
    public static void AssertFullBatchStormReducesToEstimate(BilevelSolver solver)
    {
        var problem = TestProblems.Quadratic(10, 20, 8);
        var state = (StormBaselineState)solver.Start(problem, TestProblems.RandomVector(10, 1), TestProblems.RandomVector(20, 2), 0);
        for (var k = 0; k < 3; k++)
        {
            var previous = state.Hypergradient.ToArray();
            var x = state.X.ToArray();
            var direction = state.Storm.Direction.ToArray();
            solver.Iterate(state);
            Check.BitwiseEqual(previous, state.OldPointHypergradient, $"correction of iteration {k} (old point, old lower iterates, same full batch)");
            Check.Close(state.Hypergradient, state.Storm.Direction, 1e-13, $"d after iteration {k}");
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(x[i] - (0.02 * direction[i]), state.X[i], 14);
            }
        }
    }
}

public sealed class BpTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Iterate_Counts_EqualCostFormula(int t)
    {
        var solver = new Bp(new BpOptions(BaselineSetup.Outer, InnerStepScale: 4.5, InnerSteps: t, BatchSize: 32));
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        var estimate = SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, crossProducts: t, hvps: t - 1);
        SolverKit.AssertCounts(estimate with { LowerGradientsY = t }, start, "start (T steps and h_0)");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 2, upperGradientsY: 2, lowerGradientsY: t, crossProducts: 2 * t, hvps: 2 * (t - 1)), c, "one iteration");
        }
    }

    [Fact]
    public void Start_FullBatch_EstimateEqualsReverseModeItd()
    {
        var problem = TestProblems.Quadratic(10, 20, 2);
        var x = TestProblems.RandomVector(10, 3);
        var y = TestProblems.RandomVector(20, 4);
        var solver = new Bp(new BpOptions(BaselineSetup.Outer, InnerStepScale: 4.5, InnerSteps: 7, WarmStart: false, BatchSize: 0));
        var state = (Bp.State)solver.Start(problem, x, y, 0);

        var oracle = TestProblems.Quadratic(10, 20, 2);
        var trajectory = InnerGradientDescent.Run(oracle, x, y, 7, 0.09, keepHistory: true);
        var expected = new double[10];
        new IterativeDifferentiation().Estimate(oracle, x, trajectory, expected);
        Check.Close(expected, state.Hypergradient, 1e-12, "BP h_0 vs reverse-mode ITD");
    }

    [Fact]
    public void Start_AtLowerSolutionManySteps_GivesExactHypergradient()
    {
        var (problem, x, y) = BaselineSetup.AtLowerSolution(3);
        var solver = new Bp(new BpOptions(BaselineSetup.Outer, InnerStepScale: 4.5, InnerSteps: 500, WarmStart: true, BatchSize: 0));
        var state = (Bp.State)solver.Start(problem, x, y, 0);
        Check.Close(BaselineSetup.Exact(problem, x), state.Hypergradient, 1e-9, "BP with T = 500 from y*");
    }

    [Fact]
    public void Iterate_FullBatch_StormDirectionEqualsEstimate() =>
        BaselineSetup.AssertFullBatchStormReducesToEstimate(new Bp(new BpOptions(BaselineSetup.Outer, InnerStepScale: 4.5, MomentumScale: 25, InnerSteps: 3, BatchSize: 0)));

    [Fact]
    public void Iterate_ColdStart_RestartsLowerIteratesFromY0()
    {
        var problem = TestProblems.Quadratic(10, 20, 2);
        var y0 = TestProblems.RandomVector(20, 9);
        var solver = new Bp(new BpOptions(BaselineSetup.Outer, InnerStepScale: 4.5, InnerSteps: 3, WarmStart: false, BatchSize: 0));
        var state = (Bp.State)solver.Start(problem, new double[10], y0, 0);
        solver.Iterate(state);
        solver.Iterate(state);
        Check.BitwiseEqual(y0, state.Trajectory.Iterate(0), "ŷ_0 of a cold-started hyper-iteration");

        var warm = new Bp(new BpOptions(BaselineSetup.Outer, InnerStepScale: 4.5, InnerSteps: 3, WarmStart: true, BatchSize: 0));
        var warmState = (Bp.State)warm.Start(problem, new double[10], y0, 0);
        var last = warmState.Y.ToArray();
        warm.Iterate(warmState);
        Check.BitwiseEqual(last, warmState.Trajectory.Iterate(0), "ŷ_0 of a warm-started hyper-iteration");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("InnerSteps", () => new Bp(new BpOptions { InnerSteps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("OuterStep", () => new Bp(new BpOptions { OuterStep = StepSize.Constant(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerStepScale", () => new Bp(new BpOptions { InnerStepScale = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("MomentumScale", () => new Bp(new BpOptions { MomentumScale = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("BatchSize", () => new Bp(new BpOptions { BatchSize = -1 }));
    }
}

public sealed class NsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 6)]
    public void Iterate_Counts_EqualCostFormula(int t, int k)
    {
        var solver = new Ns(new NsOptions(BaselineSetup.Outer, InnerStepScale: 4.5, InnerSteps: t, Terms: k, BatchSize: 32));
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: t, hvps: k - 1, crossProducts: 1), start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 2, upperGradientsY: 2, lowerGradientsY: t, hvps: 2 * (k - 1), crossProducts: 2), c, "one iteration");
        }
    }

    [Fact]
    public void Start_AtLowerSolutionManyTerms_GivesExactHypergradient()
    {
        var (problem, x, y) = BaselineSetup.AtLowerSolution(4);
        var solver = new Ns(new NsOptions(BaselineSetup.Outer, InnerStepScale: 4.5, Terms: 600, NeumannStep: 0.09, BatchSize: 0));
        var state = (Ns.State)solver.Start(problem, x, y, 0);
        Check.Close(BaselineSetup.Exact(problem, x), state.Hypergradient, 1e-9, "NS with K = 600 at y*");
    }

    [Fact]
    public void Start_OneTerm_UsesVEqualBetaTimesUpperGradient()
    {
        var (problem, x, y) = BaselineSetup.AtLowerSolution(5);
        var solver = new Ns(new NsOptions(BaselineSetup.Outer, InnerStepScale: 4.5, Terms: 1, NeumannStep: 0.05, BatchSize: 0));
        var state = (Ns.State)solver.Start(problem, x, y, 0);
        var oracle = TestProblems.Quadratic(10, 20, 5);
        var fy = new double[20];
        oracle.UpperGradientY(x, state.Y, fy);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(0.05 * fy[i], state.V[i], 14);
        }
    }

    [Fact]
    public void Iterate_FullBatch_StormDirectionEqualsEstimate() =>
        BaselineSetup.AssertFullBatchStormReducesToEstimate(new Ns(new NsOptions(BaselineSetup.Outer, InnerStepScale: 4.5, MomentumScale: 25, Terms: 5, BatchSize: 0)));

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("Terms", () => new Ns(new NsOptions { Terms = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("NeumannStep", () => new Ns(new NsOptions { NeumannStep = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerSteps", () => new Ns(new NsOptions { InnerSteps = -3 }));
    }
}

public sealed class CgTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 10)]
    public void Iterate_Counts_EqualCostFormula(int t, int k)
    {
        var solver = new Cg(new CgOptions(BaselineSetup.Outer, InnerStepScale: 4.5, InnerSteps: t, CgIterations: k, BatchSize: 32));
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: t, hvps: k, crossProducts: 1), start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 2, upperGradientsY: 2, lowerGradientsY: t, hvps: 2 * k, crossProducts: 2), c, "one iteration");
        }
    }

    [Fact]
    public void Start_AtLowerSolutionDyIterations_GivesExactHypergradient()
    {
        var (problem, x, y) = BaselineSetup.AtLowerSolution(6);
        var solver = new Cg(new CgOptions(BaselineSetup.Outer, InnerStepScale: 4.5, CgIterations: 20, BatchSize: 0));
        var state = (Cg.State)solver.Start(problem, x, y, 0);
        Check.Close(BaselineSetup.Exact(problem, x), state.Hypergradient, 1e-8, "CG with K = dy at y*");
    }

    [Fact]
    public void Iterate_FullBatch_StormDirectionEqualsEstimate() =>
        BaselineSetup.AssertFullBatchStormReducesToEstimate(new Cg(new CgOptions(BaselineSetup.Outer, InnerStepScale: 4.5, MomentumScale: 25, CgIterations: 5, BatchSize: 0)));

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("CgIterations", () => new Cg(new CgOptions { CgIterations = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerSteps", () => new Cg(new CgOptions { InnerSteps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("OuterStep", () => new Cg(new CgOptions { OuterStep = StepSize.Constant(double.PositiveInfinity) }));
    }
}
