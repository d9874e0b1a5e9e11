using Bilevel.Solvers;
using Bilevel.Solvers.Paper004;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper004;

public sealed class SabaTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 2)]
    public void Iterate_Counts_EqualCostFormula(int lowerBatch, int upperBatch)
    {
        var solver = new Saba(new SabaOptions { LowerBatchSize = lowerBatch, UpperBatchSize = upperBatch });
        var problem = SolverKit.CheckProblem();
        var (start, counts) = SolverKit.CountIterations(solver, problem, 4);
        int n = problem.LowerSampleCount, m = problem.UpperSampleCount;
        SolverKit.AssertCounts(
            SolverKit.Expected(upperGradientsX: m, upperGradientsY: m, lowerGradientsY: n, hvps: n, crossProducts: n, upperSamples: m, lowerSamples: 2 * n),
            start, "start (memory tables)", samples: true);
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(
                SolverKit.Expected(upperGradientsX: upperBatch, upperGradientsY: upperBatch, lowerGradientsY: lowerBatch, hvps: lowerBatch, crossProducts: lowerBatch,
                    upperSamples: upperBatch, lowerSamples: 2 * lowerBatch),
                c, "one iteration", samples: true);
        }
    }

    [Fact]
    public void Iterate_FirstStep_EqualsFullBatchSobaStep()
    {
        // The memories are filled at (x₀, y₀, z₀), so the first SAGA estimates are the full-batch oracles.
        var problem = SolverKit.CheckProblem();
        var x0 = TestProblems.RandomVector(10, 11);
        var y0 = TestProblems.RandomVector(20, 12);
        var solver = new Saba(new SabaOptions(StepSize.Constant(0.03), StepSize.Constant(0.02), StepSize.Constant(0.05), 1, 1));
        var state = (Saba.State)solver.Start(problem, x0, y0, 3);
        solver.Iterate(state);
        var gy = TestProblems.LowerGradientY(problem, x0, y0);
        var fx = new double[10];
        var fy = new double[20];
        problem.UpperGradients(x0, y0, fx, fy);
        Check.Close(y0.Select((v, i) => v - (0.03 * gy[i])).ToArray(), state.Y, 1e-10, "y₁ = y₀ − ρ ∇y g");
        Check.Close(fy.Select(v => 0.05 * v).ToArray(), state.Z, 1e-10, "z₁ = ν ∇y f (z₀ = 0)");
        Check.Close(x0.Select((v, i) => v - (0.02 * fx[i])).ToArray(), state.X, 1e-10, "x₁ = x₀ − γ ∇x f (z₀ = 0)");
    }

    [Fact]
    public void Iterate_SingleSampleQuadratic_MatchesHandWrittenSoba()
    {
        // One sample per level: every SAGA estimate is the fresh oracle, so SABA is SOBA with full gradients.
        const double rho = 0.05, gamma = 0.03, nu = 0.04;
        var problem = TestProblems.Quadratic(10, 20, 9);
        var x = TestProblems.RandomVector(10, 13);
        var y = TestProblems.RandomVector(20, 14);
        var solver = new Saba(new SabaOptions(StepSize.Constant(rho), StepSize.Constant(gamma), StepSize.Constant(nu)));
        var state = (Saba.State)solver.Start(problem, x, y, 0);
        var z = new double[20];
        var gy = new double[20];
        var fx = new double[10];
        var fy = new double[20];
        var hvp = new double[20];
        var cross = new double[10];
        for (var k = 0; k < 6; k++)
        {
            solver.Iterate(state);
            problem.LowerGradientY(x, y, gy);
            problem.UpperGradients(x, y, fx, fy);
            problem.LowerHvp(x, y, z, hvp);
            problem.LowerCrossProduct(x, y, z, cross);
            for (var i = 0; i < 20; i++)
            {
                y[i] -= rho * gy[i];
                z[i] -= nu * (hvp[i] - fy[i]);
            }

            for (var i = 0; i < 10; i++)
            {
                x[i] -= gamma * (fx[i] - cross[i]);
            }

            Check.Close(x, state.X, 1e-10, $"x after iteration {k}");
            Check.Close(y, state.Y, 1e-10, $"y after iteration {k}");
            Check.Close(z, state.Z, 1e-10, $"z after iteration {k}");
        }
    }

    [Fact]
    public void Iterate_ManySteps_MeansStayAveragesOfMemoryTables()
    {
        var problem = SolverKit.CheckProblem();
        var solver = new Saba(new SabaOptions(StepSize.Constant(0.01), StepSize.Constant(0.002), StepSize.Constant(0.01), 3, 2));
        var state = (Saba.State)solver.Start(problem, new double[10], new double[20], 5);
        for (var k = 0; k < 300; k++)
        {
            solver.Iterate(state);
        }

        AssertMean(state.LowerGradientMemory, state.LowerGradientMean, "∇y G");
        AssertMean(state.HvpMemory, state.HvpMean, "HVP");
        AssertMean(state.CrossMemory, state.CrossMean, "cross");
        AssertMean(state.UpperGradientXMemory, state.UpperGradientXMean, "∇x F");
        AssertMean(state.UpperGradientYMemory, state.UpperGradientYMean, "∇y F");

        // The memories did change since the start, so the check above is not the trivial one of the initial tables.
        var fresh = new Saba(new SabaOptions()).Start(problem, new double[10], new double[20], 5) as Saba.State;
        Assert.NotEqual(fresh!.HvpMemory, state.HvpMemory);
    }

    [Fact]
    public void UniformSampler_Draws_AreDistinctInRangeAndSeeded()
    {
        var a = new UniformSampler(50, 7, 1);
        var b = new UniformSampler(50, 7, 1);
        var seen = new HashSet<int>();
        for (var t = 0; t < 200; t++)
        {
            var da = a.Next().ToArray();
            Assert.Equal(da, b.Next().ToArray());
            Assert.Equal(7, da.Distinct().Count());
            Assert.All(da, i => Assert.InRange(i, 0, 49));
            seen.UnionWith(da);
        }

        Assert.Equal(50, seen.Count);
        Assert.Equal(Enumerable.Range(0, 5), new UniformSampler(5, 9, 0).Next().ToArray());
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("LowerStep", () => new Saba(new SabaOptions { LowerStep = StepSize.Constant(-0.1) }));
        Assert.Throws<ArgumentOutOfRangeException>("LinearSystemStep", () => new Saba(new SabaOptions { LinearSystemStep = StepSize.Constant(0) }));
        Assert.Throws<ArgumentOutOfRangeException>("LowerBatchSize", () => new Saba(new SabaOptions { LowerBatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("UpperBatchSize", () => new Saba(new SabaOptions { UpperBatchSize = -2 }));
    }

    private static void AssertMean(double[] memory, double[] mean, string what)
    {
        var d = mean.Length;
        var rows = memory.Length / d;
        var expected = new double[d];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < d; j++)
            {
                expected[j] += memory[(i * d) + j] / rows;
            }
        }

        Check.Close(expected, mean, 1e-10, $"mean of the {what} memory");
    }
}
