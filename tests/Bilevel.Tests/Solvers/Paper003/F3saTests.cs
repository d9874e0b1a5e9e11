using Bilevel.Solvers;
using Bilevel.Solvers.Paper003;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper003;

public sealed class F3saTests
{
    [Fact]
    public void Iterate_Counts_OnceAtStartThenTwicePerIteration()
    {
        var (start, counts) = SolverKit.CountIterations(new F3sa(new F3saOptions { BatchSize = 16 }), SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsX: 2, lowerGradientsY: 2), counts[0], "k = 0");
        for (var k = 1; k < counts.Length; k++)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 2, upperGradientsY: 2, lowerGradientsX: 4, lowerGradientsY: 4), counts[k], $"k = {k}");
        }
    }

    [Fact]
    public void Iterate_FullBatch_StormEqualsPlainSimultaneousSteps()
    {
        // With full batches every STORM estimate equals the fresh gradient when the previous point and λ_{k−1} are
        // the right ones, so F³SA reduces to simultaneous plain steps on (x, y, z).
        var problem = TestProblems.Quadratic(10, 20, 7);
        var x = TestProblems.RandomVector(10, 16);
        var y = TestProblems.RandomVector(20, 17);
        var z = TestProblems.RandomVector(20, 18);
        double alpha = 0.01, gamma = 0.05, xi = 3, lambda = 2, delta = 0.5;
        var solver = new F3sa(new F3saOptions(StepSize.Constant(alpha), StepSize.Constant(gamma), xi, lambda, delta, Momentum: 0.3, BatchSize: 0));
        var state = (F3sa.State)solver.Start(problem, x, z, 0);
        y.CopyTo(state.PenaltyY, 0);
        var fx = new double[10];
        var fy = new double[20];
        var gxy = new double[10];
        var gyy = new double[20];
        var gxz = new double[10];
        var gyz = new double[20];
        for (var k = 0; k < 3; k++)
        {
            solver.Iterate(state);
            problem.UpperGradients(x, y, fx, fy);
            problem.LowerGradients(x, y, gxy, gyy);
            problem.LowerGradients(x, z, gxz, gyz);
            for (var i = 0; i < 10; i++)
            {
                x[i] -= xi * alpha * (fx[i] + (lambda * (gxy[i] - gxz[i])));
            }

            for (var i = 0; i < 20; i++)
            {
                y[i] -= alpha * (fy[i] + (lambda * gyy[i]));
                z[i] -= gamma * gyz[i];
            }

            lambda += delta;
            Check.Close(x, state.X, 1e-11, $"x_{k + 1}");
            Check.Close(y, state.PenaltyY, 1e-11, $"y_{k + 1} (penalized)");
            Check.Close(z, state.Y, 1e-11, $"z_{k + 1} (auxiliary lower)");
        }
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("Momentum", () => new F3sa(new F3saOptions { Momentum = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("Momentum", () => new F3sa(new F3saOptions { Momentum = 1.2 }));
        Assert.Throws<ArgumentOutOfRangeException>("PenaltyStep", () => new F3sa(new F3saOptions { PenaltyStep = StepSize.Constant(0) }));
    }

    [Fact]
    public void Iterate_SharedLowerBatch_CancelsLowerNoiseInPenaltyGap()
    {
        // From y = z with α λ = γ, one step gives y − z = −α ∇y f + γ (∇y g(z; φ_z) − ∇y g(y; φ_y)): with one shared
        // lower batch the lower terms cancel and only the (λ-times smaller) upper-level noise is left in the gap.
        var problem = SolverKit.CheckProblem();
        var x = TestProblems.RandomVector(problem.UpperDimension, 21);
        var y = TestProblems.RandomVector(problem.LowerDimension, 22);
        double[] Gap(bool shared, int batch)
        {
            var solver = new F3sa(new F3saOptions(StepSize.Constant(0.0005), StepSize.Constant(0.05), 1, 100, BatchSize: batch, SharedLowerBatch: shared));
            var state = (F3sa.State)solver.Start(problem, x, y, 3);
            solver.Iterate(state);
            return state.PenaltyY.Zip(state.Y, (a, b) => a - b).ToArray();
        }

        var exact = Gap(false, 0);
        double Error(double[] gap) => Math.Sqrt(gap.Zip(exact, (a, b) => (a - b) * (a - b)).Sum());
        var shared = Error(Gap(true, 16));
        var independent = Error(Gap(false, 16));
        Assert.True(shared < 0.2 * independent, $"shared-batch gap error {shared} vs independent {independent}");
    }
}
