using Bilevel.Hypergradients;
using Bilevel.Solvers.Paper001;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper001;

public sealed class EsItdmTests
{
    [Fact]
    public void Iterate_Counts_EqualCostFormula()
    {
        var (start, counts) = SolverKit.CountIterations(new EsItdm(new EsItdmOptions(0.09, 0.1, 0.09)), SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: 1, hvps: 20, crossProducts: 20), c, "one iteration (dy = 20)");
        }
    }

    [Fact]
    public void Iterate_FirstIteration_EqualsOneStepJacobianRecursion()
    {
        // J^1 = −γ ∇²xy g(x^0, y^0) and ∇̂f = ∇x f(x^0, y^1) + J^1 ∇y f(x^0, y^1): eq. (6) with l = 0, which the shared
        // JacobianRecursion computes matrix-free from the trajectory (y^0, y^1) with virtual step γ.
        var problem = TestProblems.Quadratic(10, 20, 2);
        var x = TestProblems.RandomVector(10, 3);
        var y = TestProblems.RandomVector(20, 4);
        var solver = new EsItdm(new EsItdmOptions(0.07, 0.1, 0.05));
        var state = (EsItdm.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);

        var oracle = TestProblems.Quadratic(10, 20, 2);
        var trajectory = InnerGradientDescent.Run(oracle, x, y, 1, 0.07, keepHistory: true);
        var expected = new double[10];
        new JacobianRecursion(0.05).Estimate(oracle, x, trajectory, expected);
        Check.Close(expected, state.Hypergradient, 1e-12, "ES-ITDM first estimate");
        Check.Close(trajectory.Last, state.Y, 1e-14, "y^1");
    }

    [Fact]
    public void Iterate_FixedXAtLowerSolution_JacobianConvergesToExactHypergradient()
    {
        // With y = y*(x) and a negligible upper step, J^l → −∇²xy g [∇²yy g]⁻¹, so ∇̂f → ∇Φ(x): checks the dx×dy
        // orientation and the sign of digest §2.6.
        var problem = TestProblems.Quadratic(10, 20, 5);
        var x = TestProblems.RandomVector(10, 6);
        var y = new double[20];
        problem.ExactLowerSolution(x, y);
        var solver = new EsItdm(new EsItdmOptions(0.09, 1e-13, 0.09));
        var state = (EsItdm.State)solver.Start(problem, x, y, 0);
        for (var l = 0; l < 500; l++)
        {
            solver.Iterate(state);
        }

        var exact = new double[10];
        problem.ExactHypergradient(state.X, exact);
        Check.Close(exact, state.Hypergradient, 1e-9, "ES-ITDM estimate after 500 recursions");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("LowerStep", () => new EsItdm(new EsItdmOptions(LowerStep: 0)));
        Assert.Throws<ArgumentOutOfRangeException>("UpperStep", () => new EsItdm(new EsItdmOptions(UpperStep: -1)));
        Assert.Throws<ArgumentOutOfRangeException>("VirtualStep", () => new EsItdm(new EsItdmOptions(VirtualStep: double.NaN)));
    }
}

public sealed class SesItdmTests
{
    [Fact]
    public void Iterate_Counts_EqualCostFormula()
    {
        var options = new SesItdmOptions(Bilevel.Solvers.StepSize.Constant(0.09), Bilevel.Solvers.StepSize.Constant(0.03), Bilevel.Solvers.StepSize.Constant(0.09), BatchSize: 16);
        var (_, counts) = SolverKit.CountIterations(new SesItdm(options), SolverKit.CheckProblem(), 3);
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: 1, hvps: 20, crossProducts: 20), c, "one iteration (dy = 20)");

            // I^l (1 ∇y g) and S^l (20 fused calls) on the lower level; B^l (one call for ∇x f and ∇y f) on the upper.
            Assert.Equal(21 * 16, c.LowerSamples);
            Assert.Equal(16, c.UpperSamples);
        }
    }

    [Fact]
    public void Iterate_FullBatches_EqualEsItdmBitwise()
    {
        var x = TestProblems.RandomVector(10, 1);
        var y = TestProblems.RandomVector(20, 2);
        var ses = new SesItdm(new SesItdmOptions(Bilevel.Solvers.StepSize.Constant(0.08), Bilevel.Solvers.StepSize.Constant(0.1), Bilevel.Solvers.StepSize.Constant(0.06), BatchSize: 0));
        var es = new EsItdm(new EsItdmOptions(0.08, 0.1, 0.06));
        var a = ses.Start(TestProblems.Quadratic(10, 20, 3), x, y, 0);
        var b = es.Start(TestProblems.Quadratic(10, 20, 3), x, y, 0);
        for (var l = 0; l < 4; l++)
        {
            ses.Iterate(a);
            es.Iterate(b);
        }

        Check.BitwiseEqual(b.X, a.X, "x");
        Check.BitwiseEqual(b.Y, a.Y, "y");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("VirtualStep", () => new SesItdm(new SesItdmOptions { VirtualStep = Bilevel.Solvers.StepSize.Constant(0) }));
        Assert.Throws<ArgumentOutOfRangeException>("BatchSize", () => new SesItdm(new SesItdmOptions { BatchSize = -1 }));
    }
}
