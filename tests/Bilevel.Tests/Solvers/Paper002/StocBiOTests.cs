using Bilevel.Numerics;
using Bilevel.Problems;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper002;

public sealed class StocBiOTests
{
    private static StocBiOOptions Small(HessianBatchRule rule) =>
        new(StepSize.Constant(0.05), StepSize.Constant(0.1), InnerSteps: 3, NeumannSteps: 4, NeumannStep: 0.08,
            LowerBatchSize: 16, UpperBatchSize: 8, CrossBatchSize: 12, HessianBatchBase: 5, HessianBatches: rule, StrongConvexity: 1);

    [Theory]
    [InlineData(HessianBatchRule.Decaying)]
    [InlineData(HessianBatchRule.Uniform)]
    public void Iterate_Counts_EqualCostFormulaWithBatchSamples(HessianBatchRule rule)
    {
        var solver = new StocBiO(Small(rule));
        var hessianSamples = 0;
        for (var i = 1; i <= 4; i++)
        {
            hessianSamples += solver.HessianBatchSize(i);
        }

        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(
                SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: 3, hvps: 4, crossProducts: 1,
                    upperSamples: 8, lowerSamples: (3 * 16) + hessianSamples + 12),
                c, "one iteration", samples: true);
        }
    }

    [Fact]
    public void HessianBatchSize_Decaying_FollowsProposition3()
    {
        // |B_{Q+1−j}| = ⌈B Q (1 − ημ)^{j−1}⌉: B_Q (applied first) is B Q, B_1 the smallest.
        var solver = new StocBiO(new StocBiOOptions { NeumannSteps = 10, NeumannStep = 0.2, HessianBatchBase = 3, StrongConvexity = 1 });
        Assert.Equal(30, solver.HessianBatchSize(10));
        Assert.Equal((int)Math.Ceiling(30 * 0.8), solver.HessianBatchSize(9));
        Assert.Equal((int)Math.Ceiling(30 * Math.Pow(0.8, 9)), solver.HessianBatchSize(1));
        var uniform = new StocBiO(new StocBiOOptions { NeumannSteps = 10, NeumannStep = 0.2, HessianBatchBase = 3, HessianBatches = HessianBatchRule.Uniform });
        Assert.Equal(30, uniform.HessianBatchSize(1));
        Assert.Equal(30, uniform.HessianBatchSize(10));
    }

    [Fact]
    public void Iterate_OneStep_EqualsHandWrittenAlgorithm2And3WithTheSameBatches()
    {
        var problem = SolverKit.CheckProblem();
        var options = Small(HessianBatchRule.Decaying);
        var solver = new StocBiO(options);
        var x0 = TestProblems.RandomVector(10, 1);
        var y0 = TestProblems.RandomVector(20, 2);
        var state = (StocBiO.State)solver.Start(problem, x0, y0, 7);
        solver.Iterate(state);

        // The same streams, created in the state's order: S, D_F, B_1 … B_Q, D_G.
        var mirror = new SolverState(new SolverContext(problem, x0.ToArray(), y0.ToArray(), 7));
        var s = mirror.LowerBatches(16);
        var df = mirror.UpperBatches(8);
        var hessian = new BatchSource[4];
        for (var i = 1; i <= 4; i++)
        {
            hessian[i - 1] = mirror.LowerBatches(solver.HessianBatchSize(i));
        }

        var dg = mirror.LowerBatches(12);
        var x = x0.ToArray();
        var y = y0.ToArray();
        for (var t = 0; t < 3; t++)
        {
            Vectors.Axpy(-0.05, TestProblems.LowerGradientY(problem, x, y, Copy(s.Next())), y);
        }

        var upper = Copy(df.Next());
        var r = Paper002Kit.UpperGradientY(problem, x, y, upper);
        var v = new double[20];
        Vectors.Axpy(0.08, r, v);
        var hr = new double[20];
        for (var i = 4; i >= 1; i--)
        {
            problem.LowerHvp(x, y, r, hr, Copy(hessian[i - 1].Next()));
            Vectors.Axpy(-0.08, hr, r);
            Vectors.Axpy(0.08, r, v);
        }

        var expected = Paper002Kit.Implicit(problem, x, y, v, upper, Copy(dg.Next()));
        Check.Close(expected, state.Hypergradient, 1e-12, "stocBiO eq. (6)");
        Check.Close(y, state.Y, 1e-14, "y after T SGD steps");
    }

    [Fact]
    public void Iterate_FullBatchesAtLowerSolution_EqualsNeumannSumWithQPlusOneTerms()
    {
        var problem = TestProblems.Quadratic(10, 20, 1);
        var (x, y) = Paper002Kit.AtLowerSolution(problem, 3);
        var solver = new StocBiO(new StocBiOOptions { InnerSteps = 0, NeumannSteps = 6, NeumannStep = 0.05 });
        var state = (StocBiO.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);
        var v = Paper002Kit.NeumannSum(problem, x, y, Paper002Kit.UpperGradientY(problem, x, y), 0.05, 7);
        Check.Close(Paper002Kit.Implicit(problem, x, y, v), state.Hypergradient, 1e-10, "v_Q = η Σ_{i=0}^{Q} r_i");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("StrongConvexity", () => new StocBiO(new StocBiOOptions { StrongConvexity = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("StrongConvexity", () => new StocBiO(new StocBiOOptions { StrongConvexity = 3, NeumannStep = 0.5 }));
        Assert.Throws<ArgumentOutOfRangeException>("NeumannStep", () => new StocBiO(new StocBiOOptions { NeumannStep = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("HessianBatchBase", () => new StocBiO(new StocBiOOptions { HessianBatchBase = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("LowerBatchSize", () => new StocBiO(new StocBiOOptions { LowerBatchSize = -1 }));
    }

    private static Batch Copy(Batch batch) => batch.IsFull ? Batch.Full : Batch.Of(batch.Indices.ToArray());
}
