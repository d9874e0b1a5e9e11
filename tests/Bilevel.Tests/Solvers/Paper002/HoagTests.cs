using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper002;

public sealed class HoagTests
{
    [Fact]
    public void Iterate_TightTolerance_CountsEqualMaximalCost()
    {
        var solver = new Hoag(new HoagOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), MaxInnerSteps: 4, MaxCgIterations: 3, InitialTolerance: 1e-300, ToleranceFloor: 0));
        var problem = SolverKit.CheckProblem();
        var state = (Hoag.State)solver.Start(problem, new double[10], new double[20], 0);
        for (var k = 0; k < 3; k++)
        {
            var before = problem.Counter.Snapshot();
            solver.Iterate(state);
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: 4, hvps: 3 + 1, crossProducts: 1), problem.Counter.Snapshot() - before, "one iteration");
            Assert.Equal(4, state.LastInnerSteps);
            Assert.Equal(3, state.LastCgIterations);
        }
    }

    [Fact]
    public void Iterate_LooseTolerance_StopsAfterTheFirstTests()
    {
        // ε_k ≥ 1: the first inner gradient already passes, and the warm-start residual ‖∇y f − A·0‖ ≤ ε‖∇y f‖ too.
        var solver = new Hoag(new HoagOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), MaxInnerSteps: 4, MaxCgIterations: 3, InitialTolerance: 8, ToleranceDecrease: 1));
        var problem = SolverKit.CheckProblem();
        var state = (Hoag.State)solver.Start(problem, new double[10], new double[20], 0);
        var before = problem.Counter.Snapshot();
        solver.Iterate(state);
        SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: 1, hvps: 1, crossProducts: 1), problem.Counter.Snapshot() - before, "one iteration");
        Assert.Equal(0, state.LastInnerSteps);
        Assert.Equal(0, state.LastCgIterations);
    }

    [Fact]
    public void Iterate_Tolerance_DecreasesGeometricallyToFloor()
    {
        var solver = new Hoag(new HoagOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), InitialTolerance: 1e-3, ToleranceDecrease: 0.5, ToleranceFloor: 2e-5));
        var state = (Hoag.State)solver.Start(SolverKit.CheckProblem(), new double[10], new double[20], 0);
        solver.Iterate(state);
        solver.Iterate(state);
        Assert.Equal(2.5e-4, state.Tolerance);
        for (var k = 0; k < 10; k++)
        {
            solver.Iterate(state);
        }

        Assert.Equal(2e-5, state.Tolerance);
    }

    [Fact]
    public void Iterate_ExactLowerAndCg_GivesExactHypergradient()
    {
        var problem = TestProblems.Quadratic(10, 20, 1);
        var (x, y) = Paper002Kit.AtLowerSolution(problem, 2);
        var solver = new Hoag(new HoagOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), MaxInnerSteps: 0, MaxCgIterations: 20, InitialTolerance: 1e-14));
        var state = (Hoag.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);
        Check.Close(TestProblems.ExactHypergradient(problem, problem, x), state.Hypergradient, 1e-9, "HOAG p_k at y*");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("ToleranceDecrease", () => new Hoag(new HoagOptions { ToleranceDecrease = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("InitialTolerance", () => new Hoag(new HoagOptions { InitialTolerance = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("ToleranceFloor", () => new Hoag(new HoagOptions { ToleranceFloor = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("MaxCgIterations", () => new Hoag(new HoagOptions { MaxCgIterations = 0 }));
    }
}
