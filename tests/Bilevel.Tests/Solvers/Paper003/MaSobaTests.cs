using Bilevel.Numerics;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper003;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper003;

public sealed class MaSobaTests
{
    [Fact]
    public void Iterate_Counts_OneOfEachOracle()
    {
        var (_, counts) = SolverKit.CountIterations(new MaSoba(new MaSobaOptions { BatchSize = 16 }), SolverKit.CheckProblem(), 3);
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: 1, hvps: 1, crossProducts: 1), c, "MA-SOBA iteration");
        }
    }

    [Fact]
    public void Iterate_AtExactSolutions_AveragesExactHypergradient()
    {
        // At (y*, z*): w₀ = 0 so x₁ = x₀; w₁ = θ∇Φ(x₀); x₂ = x₁ − α w₁.
        var (problem, x, y, z, exact) = Paper003Kit.AtLowerSolution();
        double alpha = 0.2, theta = 0.3;
        var solver = new MaSoba(new MaSobaOptions(StepSize.Constant(alpha), StepSize.Constant(0.05), StepSize.Constant(0.05), StepSize.Constant(theta), BatchSize: 0));
        var state = (MaSoba.State)solver.Start(problem, x, y, 0);
        z.CopyTo(state.Z, 0);
        solver.Iterate(state);
        Check.BitwiseEqual(x, state.X, "x₁ = x₀ (w₀ = 0)");
        var w1 = exact.ToArray();
        for (var i = 0; i < w1.Length; i++)
        {
            w1[i] *= theta;
        }

        Check.Close(w1, state.Average, 1e-9, "w₁ = θ∇Φ(x₀)");
        solver.Iterate(state);
        Check.Close(Paper003Kit.Step(x, alpha, w1), state.X, 1e-10, "x₂");
    }

    [Fact]
    public void Iterate_SmallRadius_KeepsZInBall()
    {
        var problem = SolverKit.CheckProblem();
        var solver = new MaSoba(new MaSobaOptions { LinearSystemRadius = 0.01, BatchSize = 16 });
        var state = (MaSoba.State)solver.Start(problem, new double[10], new double[20], 0);
        for (var k = 0; k < 5; k++)
        {
            solver.Iterate(state);
            Assert.True(Vectors.Norm(state.Z) <= 0.01 * (1 + 1e-12), $"‖z‖ = {Vectors.Norm(state.Z)} after iteration {k}");
        }

        Assert.True(Vectors.Norm(state.Z) > 0.009, "the projection is active on this problem");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("Averaging", () => new MaSoba(new MaSobaOptions { Averaging = StepSize.Constant(1.5) }));
        Assert.Throws<ArgumentOutOfRangeException>("LinearSystemRadius", () => new MaSoba(new MaSobaOptions { LinearSystemRadius = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("UpperStep", () => new MaSoba(new MaSobaOptions { UpperStep = StepSize.Constant(double.NaN) }));
    }
}
