using Bilevel.Numerics;
using Bilevel.Problems;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper000;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper000;

public sealed class FslaTests
{
    private static FslaOptions Small(int batchSize = 32) =>
        new(StepSize.Decaying(0.02, 0.5), InnerStepScale: 4.5, LinearSystemStepScale: 4.5, MomentumScale: 25, BatchSize: batchSize);

    [Fact]
    public void Iterate_Counts_OneHvpTwoCrossProductsPerIteration()
    {
        var (start, counts) = SolverKit.CountIterations(new Fsla(Small()), SolverKit.CheckProblem(), 4);
        SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1), start, "start (d_0 = ∇x f)");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 2, upperGradientsY: 1, lowerGradientsY: 1, hvps: 1, crossProducts: 2), c, "one iteration");
        }
    }

    [Fact]
    public void Iterate_MiniBatches_DrawFiveBatchesOfTheBatchSize()
    {
        var (_, counts) = SolverKit.CountIterations(new Fsla(Small(batchSize: 16)), SolverKit.CheckProblem(), 2);
        foreach (var c in counts)
        {
            // ξ1 (∇y g), ξ3 (HVP), ξ5 (two cross products) on the lower level; ξ2 (∇y f), ξ4 (two ∇x f) on the upper.
            Assert.Equal(4 * 16, c.LowerSamples);
            Assert.Equal(3 * 16, c.UpperSamples);
        }
    }

    [Fact]
    public void Iterate_FullBatch_MatchesHandWrittenAlgorithm1()
    {
        var problem = TestProblems.Quadratic(10, 20, 5);
        var options = Small();
        var solver = new Fsla(options);
        var x0 = TestProblems.RandomVector(10, 1);
        var y0 = TestProblems.RandomVector(20, 2);
        var state = (Fsla.State)solver.Start(problem, x0, y0, 0);

        // Hand-written Algorithm 1 (lines 3–9) with the stored-old-v correction, on an independent problem copy.
        var oracle = TestProblems.Quadratic(10, 20, 5);
        double[] x = x0.ToArray(), y = y0.ToArray(), v = new double[20], d = new double[10];
        oracle.UpperGradientX(x, y, d);
        for (var k = 0; k < 5; k++)
        {
            solver.Iterate(state);
            var alpha = 0.02 / Math.Sqrt(k + 1);
            var eta = Math.Min(1, 25 * alpha);
            double[] xOld = x.ToArray(), yOld = y.ToArray(), vOld = v.ToArray();
            Vectors.Axpy(-alpha, d, x);
            var gy = new double[20];
            oracle.LowerGradientY(x, yOld, gy);
            Vectors.Axpy(-4.5 * alpha, gy, y);
            var fy = new double[20];
            var hv = new double[20];
            oracle.UpperGradientY(x, yOld, fy);
            oracle.LowerHvp(x, yOld, vOld, hv);
            for (var i = 0; i < 20; i++)
            {
                v[i] = vOld[i] + (4.5 * alpha * (fy[i] - hv[i]));
            }

            var hNew = Readout(oracle, x, y, v);
            var hOld = Readout(oracle, xOld, yOld, vOld);
            for (var i = 0; i < 10; i++)
            {
                d[i] = hNew[i] + ((1 - eta) * (d[i] - hOld[i]));
            }

            Check.Close(x, state.X, 1e-12, $"x after {k + 1} iterations");
            Check.Close(y, state.Y, 1e-12, $"y after {k + 1} iterations");
            Check.Close(v, state.V, 1e-12, $"v after {k + 1} iterations");
            Check.Close(d, state.Storm.Direction, 1e-12, $"d after {k + 1} iterations");
        }
    }

    [Fact]
    public void Iterate_FullBatchFixedX_VTracksLinearSystemSolution()
    {
        // With a negligible outer step, x stays put; y → y*(x) and v → [∇²yy g]⁻¹ ∇y f, so h → ∇Φ(x).
        var problem = TestProblems.Quadratic(10, 20, 3);
        var solver = new Fsla(new FslaOptions(StepSize.Constant(1e-12), InnerStepScale: 9e10, LinearSystemStepScale: 9e10, MomentumScale: 1e12, BatchSize: 0));
        var x = TestProblems.RandomVector(10, 4);
        var state = (Fsla.State)solver.Start(problem, x, new double[20], 0);
        for (var k = 0; k < 600; k++)
        {
            solver.Iterate(state);
        }

        var exact = new double[10];
        problem.ExactHypergradient(state.X, exact);
        Check.Close(exact, state.Hypergradient, 1e-8, "FSLA estimate at fixed x");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("OuterStep", () => new Fsla(new FslaOptions { OuterStep = StepSize.Constant(0) }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerStepScale", () => new Fsla(new FslaOptions { InnerStepScale = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("LinearSystemStepScale", () => new Fsla(new FslaOptions { LinearSystemStepScale = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>("MomentumScale", () => new Fsla(new FslaOptions { MomentumScale = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("BatchSize", () => new Fsla(new FslaOptions { BatchSize = -2 }));
    }

    private static double[] Readout(BilevelProblem problem, double[] x, double[] y, double[] v)
    {
        var h = new double[10];
        var cross = new double[10];
        problem.UpperGradientX(x, y, h);
        problem.LowerCrossProduct(x, y, v, cross);
        for (var i = 0; i < 10; i++)
        {
            h[i] -= cross[i];
        }

        return h;
    }
}
