using Bilevel.Numerics;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper002;

public sealed class AidCgTests
{
    [Theory]
    [InlineData(5, 3)]
    [InlineData(1, 10)]
    public void Iterate_Counts_EqualCostFormula(int t, int k)
    {
        var solver = new AidCg(new AidCgOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), InnerSteps: t, CgIterations: k));
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: t, hvps: k, crossProducts: 1), c, "one iteration");
        }
    }

    [Fact]
    public void Iterate_ExactLowerAndFullCg_GivesExactHypergradientStep()
    {
        var problem = TestProblems.Quadratic(10, 20, 1);
        var (x, y) = Paper002Kit.AtLowerSolution(problem, 3);
        var solver = new AidCg(new AidCgOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), InnerSteps: 0, CgIterations: 20));
        var state = (AidCg.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);
        var exact = TestProblems.ExactHypergradient(problem, problem, x);
        Check.Close(exact, state.Hypergradient, 1e-9, "AID-CG estimate at y*");
        var expected = x.ToArray();
        Vectors.Axpy(-0.1, exact, expected);
        Check.Close(expected, state.X, 1e-9, "x after one step");
    }

    [Fact]
    public void Iterate_ColdStartedCg_DoesNotReusePreviousSolution()
    {
        // One CG step from v = 0 is the Cauchy step (rᵀr / rᵀAr) r with r = ∇y f, whatever the previous iterations did.
        var problem = TestProblems.Quadratic(10, 20, 1);
        var (x, y) = Paper002Kit.AtLowerSolution(problem, 3);
        var solver = new AidCg(new AidCgOptions(StepSize.Constant(0.05), StepSize.Constant(1e-9), InnerSteps: 0, CgIterations: 1));
        var state = (AidCg.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);
        solver.Iterate(state);
        var r = Paper002Kit.UpperGradientY(problem, state.X, y);
        var ar = new double[20];
        problem.LowerHvp(state.X, y, r, ar);
        var step = System.Numerics.Tensors.TensorPrimitives.Dot<double>(r, r) / System.Numerics.Tensors.TensorPrimitives.Dot<double>(r, ar);
        var expected = r.Select(v => step * v).ToArray();
        Check.Close(expected, state.V, 1e-6, "v after one cold CG step");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("CgIterations", () => new AidCg(new AidCgOptions { CgIterations = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("OuterStep", () => new AidCg(new AidCgOptions { OuterStep = StepSize.Constant(-1) }));
    }
}
