using Bilevel.Solvers;
using Bilevel.Solvers.Paper003;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper003;

public sealed class LazyBloTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void Iterate_Counts_OneHvpPerNUpperSteps(int n)
    {
        var solver = new LazyBlo(new LazyBloOptions(StepSize.Constant(0.01), StepSize.Constant(0.05), StepSize.Constant(0.05), LazyPeriod: n, BatchSize: 16));
        var problem = SolverKit.CheckProblem();
        var state = solver.Start(problem, new double[10], new double[20], 0);
        for (var t = 0; t < 3; t++)
        {
            var before = problem.Counter.Snapshot();
            var steps = state.UpperSteps;
            solver.Iterate(state);
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: n, upperGradientsY: 1, lowerGradientsY: n, hvps: 1, crossProducts: n),
                problem.Counter.Snapshot() - before, $"outer iteration {t}");
            Assert.Equal(n, state.UpperSteps - steps);
        }
    }

    [Fact]
    public void Iterate_AtExactLowerAndLinearSolution_StepsAlongExactHypergradient()
    {
        // At y = y*(x) and z = z*, eq. (5) is ∇Φ(x) and eq. (6) is 0: with N = 1, x moves by −α∇Φ and y stays.
        var (problem, x, y, z, exact) = Paper003Kit.AtLowerSolution();
        var solver = new LazyBlo(new LazyBloOptions(StepSize.Constant(0.1), StepSize.Constant(0.05), StepSize.Constant(0.05), LazyPeriod: 1, BatchSize: 0));
        var state = (LazyBlo.State)solver.Start(problem, x, y, 0);
        z.CopyTo(state.Z, 0);
        solver.Iterate(state);
        Check.Close(exact, state.Hypergradient, 1e-9, "h^f at (y*, z*)");
        Check.Close(Paper003Kit.Step(x, 0.1, exact), state.X, 1e-10, "x after one step");
        Check.Close(y, state.Y, 1e-10, "y stays at y*");
    }

    [Fact]
    public void Iterate_FullBatch_MatchesHandWrittenAlgorithm1()
    {
        // Algorithm 1 written out: N = 3 simultaneous x/y steps with z_t frozen, then one z step at (x_t^N, y_t^N).
        var problem = TestProblems.Quadratic(10, 20, 2);
        var x = TestProblems.RandomVector(10, 5);
        var y = TestProblems.RandomVector(20, 6);
        double alpha = 0.03, beta = 0.07, gamma = 0.09;
        var solver = new LazyBlo(new LazyBloOptions(StepSize.Constant(alpha), StepSize.Constant(beta), StepSize.Constant(gamma), LazyPeriod: 3, BatchSize: 0));
        var state = (LazyBlo.State)solver.Start(problem, x, y, 0);
        var z = new double[20];
        var gy = new double[20];
        var fx = new double[10];
        var cross = new double[10];
        var hq = new double[20];
        var fy = new double[20];
        for (var t = 0; t < 2; t++)
        {
            solver.Iterate(state);
            for (var n = 0; n < 3; n++)
            {
                problem.LowerGradientY(x, y, gy);
                problem.UpperGradientX(x, y, fx);
                problem.LowerCrossProduct(x, y, z, cross);
                for (var i = 0; i < 10; i++)
                {
                    x[i] -= alpha * (fx[i] + cross[i]);
                }

                for (var i = 0; i < 20; i++)
                {
                    y[i] -= beta * gy[i];
                }
            }

            problem.LowerHvp(x, y, z, hq);
            problem.UpperGradientY(x, y, fy);
            for (var i = 0; i < 20; i++)
            {
                z[i] -= gamma * (hq[i] + fy[i]);
            }

            Check.Close(x, state.X, 1e-12, $"x after outer iteration {t}");
            Check.Close(y, state.Y, 1e-12, $"y after outer iteration {t}");
            Check.Close(z, state.Z, 1e-12, $"z after outer iteration {t}");
        }
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("LazyPeriod", () => new LazyBlo(new LazyBloOptions { LazyPeriod = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("LinearSystemStep", () => new LazyBlo(new LazyBloOptions { LinearSystemStep = StepSize.Constant(0) }));
        Assert.Throws<ArgumentOutOfRangeException>("BatchSize", () => new LazyBlo(new LazyBloOptions { BatchSize = -1 }));
    }
}
