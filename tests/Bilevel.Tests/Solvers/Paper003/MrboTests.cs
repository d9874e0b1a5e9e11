using Bilevel.LinearSolvers;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper003;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper003;

public sealed class MrboTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(12)]
    public void Iterate_Counts_OnceAtStartThenTwicePerIteration(int q)
    {
        var solver = new Mrbo(new MrboOptions { NeumannStep = 0.05, NeumannTerms = q, BatchSize = 16 });
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: 1, hvps: q, crossProducts: 1), counts[0], "k = 0");
        for (var k = 1; k < counts.Length; k++)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 2, upperGradientsY: 2, lowerGradientsY: 2, hvps: 2 * q, crossProducts: 2), counts[k], $"k = {k}");
        }
    }

    [Fact]
    public void Iterate_FirstStepAtLowerSolution_UsesExactHypergradient()
    {
        // y = y*, η = 0.1, Q = 400: the Neumann estimate (eq. 4) equals ∇Φ to rounding, and x₁ = x₀ − α η₀ u₀.
        var (problem, x, y, _, exact) = Paper003Kit.AtLowerSolution();
        var options = new MrboOptions { UpperStep = 0.2, NeumannStep = 0.1, NeumannTerms = 400, BatchSize = 0 };
        var solver = new Mrbo(options);
        var state = (Mrbo.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);
        Check.Close(exact, state.UpperEstimate, 1e-9, "u₀");
        Check.Close(Paper003Kit.Step(x, 0.2 * options.Schedule.At(0), exact), state.X, 1e-10, "x₁");
        Check.Close(y, state.Y, 1e-10, "y stays at y*");
    }

    [Fact]
    public void Iterate_FullBatch_StormEstimatorsEqualFreshEstimates()
    {
        // With full batches the STORM correction cancels exactly when the previous point is the right one:
        // u_k = ĥ(x_k, y_k), v_k = ∇y g(x_k, y_k) for every k and any momentum weight.
        var problem = TestProblems.Quadratic(10, 20, 5);
        var x = TestProblems.RandomVector(10, 12);
        var y = TestProblems.RandomVector(20, 13);
        var options = new MrboOptions { UpperStep = 0.3, LowerStep = 0.2, LowerMomentum = 0.5, UpperMomentum = 0.5, NeumannStep = 0.08, NeumannTerms = 5, BatchSize = 0 };
        var solver = new Mrbo(options);
        var state = (Mrbo.State)solver.Start(problem, x, y, 0);
        var neumann = new NeumannSeries(new NeumannSeriesOptions(5, 0.08));
        var hessian = new LowerHessianOperator(problem);
        var fy = new double[20];
        var v = new double[20];
        var cross = new double[10];
        var expected = new double[10];
        var gy = new double[20];
        for (var k = 0; k < 3; k++)
        {
            var xk = state.X.ToArray();
            var yk = state.Y.ToArray();
            solver.Iterate(state);
            problem.UpperGradients(xk, yk, expected, fy);
            neumann.Solve(hessian.Bind(xk, yk), fy, v);
            problem.LowerCrossProduct(xk, yk, v, cross);
            for (var i = 0; i < 10; i++)
            {
                expected[i] -= cross[i];
            }

            problem.LowerGradientY(xk, yk, gy);
            Check.Close(expected, state.UpperEstimate, 1e-11, $"u_{k}");
            Check.Close(gy, state.LowerEstimate, 1e-11, $"v_{k}");
            Check.Close(Paper003Kit.Step(xk, 0.3 * options.Schedule.At(k), expected), state.X, 1e-12, $"x_{k + 1}");
        }
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("NeumannStep", () => new Mrbo(new MrboOptions { NeumannStep = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("NeumannTerms", () => new Mrbo(new MrboOptions { NeumannTerms = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("UpperMomentum", () => new Mrbo(new MrboOptions { UpperMomentum = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>("Schedule", () => new Mrbo(new MrboOptions { Schedule = StepSize.Constant(-1) }));
    }
}
