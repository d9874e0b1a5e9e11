using Bilevel.Numerics;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers;

public sealed class AidBiOTests
{
    [Theory]
    [InlineData(5, 3)]
    [InlineData(1, 10)]
    public void Iterate_Counts_EqualCostFormula(int t, int n)
    {
        var solver = new AidBiO(new AidBiOOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), InnerSteps: t, CgIterations: n));
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: t, hvps: n + 1, crossProducts: 1), c, "one iteration");
        }
    }

    [Fact]
    public void InnerStepsAt_Increasing_IsCeilOfScaledQuarterPower()
    {
        var solver = new AidBiO(new AidBiOOptions { Rule = InnerStepRule.Increasing, InnerStepsScale = 2 });
        Assert.Equal(2, solver.InnerStepsAt(0));
        Assert.Equal((int)Math.Ceiling(2 * Math.Pow(16, 0.25)), solver.InnerStepsAt(15));
    }

    [Fact]
    public void Iterate_ExactLowerAndCg_GivesExactHypergradientStep()
    {
        // With y = y*(x) and N = dy CG steps, the estimate equals ∇Φ(x) (quadratic problem), so x moves by −β∇Φ.
        var problem = QuadraticSetup();
        var x = TestProblems.RandomVector(10, 3);
        var y = new double[20];
        problem.ExactLowerSolution(x, y);
        var solver = new AidBiO(new AidBiOOptions(StepSize.Constant(1e-12), StepSize.Constant(0.1), InnerSteps: 0, CgIterations: 20));
        var state = (AidBiO.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);
        var exact = new double[10];
        problem.ExactHypergradient(x, exact);
        Check.Close(exact, state.Hypergradient, 1e-9, "AID-BiO estimate at y*");
        var expected = x.ToArray();
        Vectors.Axpy(-0.1, exact, expected);
        Check.Close(expected, state.X, 1e-9, "x after one step");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("InnerStep", () => new AidBiO(new AidBiOOptions { InnerStep = StepSize.Constant(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>("CgIterations", () => new AidBiO(new AidBiOOptions { CgIterations = 0 }));
    }

    private static Bilevel.Problems.QuadraticBilevelProblem QuadraticSetup() => TestProblems.Quadratic(10, 20, 1);
}
