using Bilevel.Problems;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper001;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper001;

public sealed class HfSesItdmTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Iterate_Counts_GradientOraclesOnlyNoHvp(int q)
    {
        var options = new HfSesItdmOptions { Directions = q, VirtualStep = StepSize.Constant(0.005), LowerStep = StepSize.Constant(0.09), UpperStep = StepSize.Constant(0.03) };
        var (start, counts) = SolverKit.CountIterations(new HfSesItdm(options), SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: (2 * q) + 2), c, "one iteration (no HVP, no cross product)");
        }
    }

    [Fact]
    public void Iterate_ManyDirections_JacobianApproachesExactRecursion()
    {
        // On a quadratic ∇²yy g = H and ∇²xy g = M are constant, so the exact recursion gives J^1 = −γM and
        // J^2 = −γM(I − γH) − γM whatever the iterates; eqs. (9)–(11) with Q Gaussian directions are unbiased for
        // them (finite differences are exact here), with Monte Carlo error O(√(d/Q)).
        var problem = TestProblems.Quadratic(10, 20, 4);
        const double gamma = 0.05;
        var solver = new HfSesItdm(new HfSesItdmOptions { Directions = 20000, VirtualStep = StepSize.Constant(gamma), LowerStep = StepSize.Constant(0.05), UpperStep = StepSize.Constant(0.01) });
        var state = (HfSesItdm.State)solver.Start(problem, TestProblems.RandomVector(10, 1), TestProblems.RandomVector(20, 2), 7);
        var (h, m) = Matrices(TestProblems.Quadratic(10, 20, 4));

        solver.Iterate(state);
        var j1 = new double[200];
        for (var i = 0; i < 200; i++)
        {
            j1[i] = -gamma * m[i];
        }

        Check.Close(j1, state.Jacobian.Values, 0.1, "J^1 ≈ −γ M");

        solver.Iterate(state);
        var j2 = new double[200];
        for (var i = 0; i < 10; i++)
        {
            for (var q = 0; q < 20; q++)
            {
                var jh = 0.0;
                for (var r = 0; r < 20; r++)
                {
                    jh += j1[(i * 20) + r] * h[(r * 20) + q];
                }

                j2[(i * 20) + q] = j1[(i * 20) + q] - (gamma * jh) - (gamma * m[(i * 20) + q]);
            }
        }

        Check.Close(j2, state.Jacobian.Values, 0.1, "J^2 ≈ J^1 (I − γH) − γM");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("Directions", () => new HfSesItdm(new HfSesItdmOptions { Directions = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("UpperSmoothing", () => new HfSesItdm(new HfSesItdmOptions { UpperSmoothing = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("LowerSmoothing", () => new HfSesItdm(new HfSesItdmOptions { LowerSmoothing = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("LowerStep", () => new HfSesItdm(new HfSesItdmOptions { LowerStep = StepSize.Constant(0) }));
    }

    /// <summary>H = ∇²yy g (dy×dy) and M = ∇²xy g (dx×dy, M e_q = cross product with e_q), row-major, from the oracles.</summary>
    internal static (double[] H, double[] M) Matrices(BilevelProblem problem)
    {
        var h = new double[400];
        var m = new double[200];
        var x = new double[10];
        var y = new double[20];
        var hvp = new double[20];
        var cross = new double[10];
        for (var q = 0; q < 20; q++)
        {
            var e = new double[20];
            e[q] = 1;
            problem.LowerHvpAndCrossProduct(x, y, e, hvp, cross);
            for (var r = 0; r < 20; r++)
            {
                h[(r * 20) + q] = hvp[r];
            }

            for (var i = 0; i < 10; i++)
            {
                m[(i * 20) + q] = cross[i];
            }
        }

        return (h, m);
    }
}
