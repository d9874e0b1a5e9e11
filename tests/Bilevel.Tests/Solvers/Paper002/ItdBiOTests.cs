using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper002;

public sealed class ItdBiOTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(1)]
    public void Iterate_Counts_EqualCostFormula(int t)
    {
        var solver = new ItdBiO(new ItdBiOOptions(StepSize.Constant(0.05), StepSize.Constant(0.1), InnerSteps: t));
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: t, hvps: t - 1, crossProducts: t), c, "one iteration");
        }
    }

    [Fact]
    public void Iterate_FromLowerSolution_EqualsTruncatedNeumannHypergradient()
    {
        // At y = y*(x) the inner GD iterates stay at y*, so Proposition 2 reduces to ∇x f − ∇²xy g · α Σ_{q<T} (I − α∇²yy g)^q ∇y f.
        var problem = TestProblems.Quadratic(10, 20, 1);
        var (x, y) = Paper002Kit.AtLowerSolution(problem, 3);
        const double alpha = 0.05;
        var solver = new ItdBiO(new ItdBiOOptions(StepSize.Constant(alpha), StepSize.Constant(0.1), InnerSteps: 7));
        var state = (ItdBiO.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);
        var v = Paper002Kit.NeumannSum(problem, x, y, Paper002Kit.UpperGradientY(problem, x, y), alpha, 7);
        Check.Close(Paper002Kit.Implicit(problem, x, y, v), state.Hypergradient, 1e-10, "ITD-BiO estimate");
        var expected = x.ToArray();
        Bilevel.Numerics.Vectors.Axpy(-0.1, state.Hypergradient, expected);
        Check.Close(expected, state.X, 1e-14, "x after one step");
    }

    [Fact]
    public void Iterate_ManyInnerSteps_ApproachesExactHypergradient()
    {
        var problem = TestProblems.Quadratic(10, 20, 2);
        var x = TestProblems.RandomVector(10, 5);
        var solver = new ItdBiO(new ItdBiOOptions(StepSize.Constant(0.09), StepSize.Constant(0.1), InnerSteps: 400));
        var state = (ItdBiO.State)solver.Start(problem, x, new double[20], 0);
        solver.Iterate(state);
        Check.Close(TestProblems.ExactHypergradient(problem, problem, x), state.Hypergradient, 1e-8, "ITD-BiO with T = 400");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("InnerStep", () => new ItdBiO(new ItdBiOOptions { InnerStep = StepSize.Constant(-1) }));
        Assert.Throws<ArgumentOutOfRangeException>("OuterStep", () => new ItdBiO(new ItdBiOOptions { OuterStep = StepSize.Constant(0) }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerSteps", () => new ItdBiO(new ItdBiOOptions { InnerSteps = -1 }));
    }
}
