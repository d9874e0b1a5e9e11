using Bilevel.Solvers;
using Bilevel.Solvers.Paper003;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper003;

public sealed class AmigoTests
{
    private static AmigoOptions Options(AmigoLinearSolver linearSolver, int ty, int tz, int batch = 16) =>
        new(StepSize.Constant(0.05), StepSize.Constant(0.05), StepSize.Constant(0.05), ty, tz, linearSolver, batch);

    [Theory]
    [InlineData(5, 3)]
    [InlineData(0, 1)]
    public void Iterate_GradientDescent_CountsEqualCostFormula(int ty, int tz)
    {
        var (_, counts) = SolverKit.CountIterations(new Amigo(Options(AmigoLinearSolver.GradientDescent, ty, tz)), SolverKit.CheckProblem(), 3);
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: tz, lowerGradientsY: ty, hvps: tz, crossProducts: 1), c, "AmIGO-GD iteration");
        }
    }

    [Theory]
    [InlineData(5, 3)]
    [InlineData(2, 6)]
    public void Iterate_ConjugateGradient_CountsEqualCostFormula(int ty, int tz)
    {
        var (_, counts) = SolverKit.CountIterations(new Amigo(Options(AmigoLinearSolver.ConjugateGradient, ty, tz)), SolverKit.CheckProblem(), 3);
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: ty, hvps: tz + 1, crossProducts: 1), c, "AmIGO-CG iteration");
        }
    }

    [Fact]
    public void Info_FollowsLinearSolverOption()
    {
        Assert.Equal("amigo-gd", new Amigo(new AmigoOptions()).Info.Name);
        Assert.Equal("amigo-cg", new Amigo(new AmigoOptions { LinearSolver = AmigoLinearSolver.ConjugateGradient }).Info.Name);
    }

    [Fact]
    public void Iterate_GradientDescentAtExactSolutions_StepsAlongExactHypergradient()
    {
        // y = y*, warm z = z*: the GD steps on z stay at z* (∇²yy g z* + ∇y f = 0), so x moves by −α∇Φ.
        var (problem, x, y, z, exact) = Paper003Kit.AtLowerSolution();
        var solver = new Amigo(Options(AmigoLinearSolver.GradientDescent, 3, 2, batch: 0) with { UpperStep = StepSize.Constant(0.2) });
        var state = (Amigo.State)solver.Start(problem, x, y, 0);
        z.CopyTo(state.Z, 0);
        solver.Iterate(state);
        Check.Close(z, state.Z, 1e-9, "z stays at z*");
        Check.Close(exact, state.Hypergradient, 1e-9, "h_k");
        Check.Close(Paper003Kit.Step(x, 0.2, exact), state.X, 1e-10, "x after one step");
    }

    [Fact]
    public void Iterate_ConjugateGradientFromZero_SolvesTheSystemAndGivesExactHypergradient()
    {
        // y = y*, z₀ = 0 and dy = 20 CG steps: z = z* (quadratic problem) and h = ∇Φ.
        var (problem, x, y, z, exact) = Paper003Kit.AtLowerSolution(7);
        var solver = new Amigo(Options(AmigoLinearSolver.ConjugateGradient, 0, 20, batch: 0));
        var state = (Amigo.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);
        Check.Close(z, state.Z, 1e-8, "z after CG");
        Check.Close(exact, state.Hypergradient, 1e-8, "h_k");
    }

    [Fact]
    public void Iterate_GradientDescent_MatchesHandWrittenSteps()
    {
        var problem = TestProblems.Quadratic(10, 20, 4);
        var x = TestProblems.RandomVector(10, 8);
        var y = TestProblems.RandomVector(20, 9);
        double alpha = 0.04, beta = 0.06, gamma = 0.08;
        var solver = new Amigo(new AmigoOptions(StepSize.Constant(alpha), StepSize.Constant(beta), StepSize.Constant(gamma), 2, 3, AmigoLinearSolver.GradientDescent, 0));
        var state = (Amigo.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);
        var g = new double[20];
        for (var t = 0; t < 2; t++)
        {
            problem.LowerGradientY(x, y, g);
            for (var i = 0; i < 20; i++)
            {
                y[i] -= beta * g[i];
            }
        }

        var z = new double[20];
        var hz = new double[20];
        var fy = new double[20];
        for (var t = 0; t < 3; t++)
        {
            problem.LowerHvp(x, y, z, hz);
            problem.UpperGradientY(x, y, fy);
            for (var i = 0; i < 20; i++)
            {
                z[i] -= gamma * (hz[i] + fy[i]);
            }
        }

        var h = new double[10];
        var cross = new double[10];
        problem.UpperGradientX(x, y, h);
        problem.LowerCrossProduct(x, y, z, cross);
        for (var i = 0; i < 10; i++)
        {
            x[i] -= alpha * (h[i] + cross[i]);
        }

        Check.Close(y, state.Y, 1e-12, "y");
        Check.Close(z, state.Z, 1e-12, "z");
        Check.Close(x, state.X, 1e-12, "x");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("LinearSystemSteps", () => new Amigo(new AmigoOptions { LinearSystemSteps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("LowerSteps", () => new Amigo(new AmigoOptions { LowerSteps = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("UpperStep", () => new Amigo(new AmigoOptions { UpperStep = StepSize.Constant(-0.1) }));
    }
}
