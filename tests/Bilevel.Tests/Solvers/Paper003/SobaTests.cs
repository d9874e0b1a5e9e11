using Bilevel.Solvers;
using Bilevel.Solvers.Paper003;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper003;

public sealed class SobaTests
{
    [Fact]
    public void Iterate_Counts_OneOfEachOracle()
    {
        var (_, counts) = SolverKit.CountIterations(new Soba(new SobaOptions { BatchSize = 16 }), SolverKit.CheckProblem(), 3);
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: 1, hvps: 1, crossProducts: 1), c, "SOBA iteration");
        }
    }

    [Fact]
    public void Iterate_AtExactLowerAndLinearSolution_StepsAlongExactHypergradient()
    {
        var (problem, x, y, z, exact) = Paper003Kit.AtLowerSolution();
        var solver = new Soba(new SobaOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), 0));
        var state = (Soba.State)solver.Start(problem, x, y, 0);
        z.CopyTo(state.Z, 0);
        solver.Iterate(state);
        Check.Close(exact, state.Directions.Upper, 1e-9, "D_x");
        Check.Close(Paper003Kit.Step(x, 0.1, exact), state.X, 1e-10, "x");
        Check.Close(y, state.Y, 1e-10, "y stays at y*");
        Check.Close(z, state.Z, 1e-9, "z stays at z*");
    }

    [Fact]
    public void Iterate_DecayingSteps_UseScheduleAtIteration()
    {
        // Two iterations at (y*, z*) from the same x differ only by the step ρ_t, γ_t of the schedule.
        var (problem, x, y, z, _) = Paper003Kit.AtLowerSolution(11);
        var solver = new Soba(new SobaOptions(StepSize.Decaying(0.1, 0.4), StepSize.Decaying(0.1, 0.6), 0));
        var state = (Soba.State)solver.Start(problem, x, y, 0);
        z.CopyTo(state.Z, 0);
        solver.Iterate(state);
        var d0 = state.Directions.Upper.ToArray();
        var x1 = state.X.ToArray();
        solver.Iterate(state);
        Check.Close(Paper003Kit.Step(x1, 0.1 / Math.Pow(2, 0.6), state.Directions.Upper), state.X, 1e-12, "x₂ with γ₁ = 0.1/2^0.6");
        Check.Close(Paper003Kit.Step(x, 0.1, d0), x1, 1e-12, "x₁ with γ₀ = 0.1");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("LowerStep", () => new Soba(new SobaOptions { LowerStep = StepSize.Constant(0) }));
        Assert.Throws<ArgumentOutOfRangeException>("BatchSize", () => new Soba(new SobaOptions { BatchSize = -2 }));
    }
}
