using Bilevel.Problems;

namespace Bilevel.Tests.Problems;

public sealed class LowerLevelFitTests
{
    [Fact]
    public void Minimize_RandomQuadratic_ReachesExactLowerSolution()
    {
        var problem = QuadraticBilevelProblem.CreateRandom(4, 12, 10, seed: 5);
        var x = new[] { 0.3, -1.0, 0.5, 2.0 };
        var exact = new double[problem.LowerDimension];
        problem.ExactLowerSolution(x, exact);
        var fit = LowerLevelFit.Minimize(problem, x, null, 500, 1e-10);
        Assert.True(Bilevel.Numerics.Vectors.Distance(fit.Y, exact) <= 1e-7 * Math.Max(1, Bilevel.Numerics.Vectors.Norm(exact)), $"‖y − y*‖ = {Bilevel.Numerics.Vectors.Distance(fit.Y, exact):E2}");
        Assert.True(fit.GradientNorm <= 1e-8, $"‖∇y g‖ = {fit.GradientNorm:E2}");
    }

    [Fact]
    public void Minimize_OneIteration_ReturnsDescendedPointWithoutThrowing()
    {
        var problem = QuadraticBilevelProblem.CreateRandom(2, 20, 100, seed: 1);
        var fit = LowerLevelFit.Minimize(problem, new double[2], null, 1, 1e-14);
        Assert.True(double.IsFinite(fit.Value));
        Assert.True(fit.Value < problem.LowerValue(new double[2], new double[20]), "one iteration descends from y = 0");
        Assert.True(fit.GradientNorm > 1e-6, "one iteration does not solve a κ = 100 problem");
    }

    [Fact]
    public void Minimize_WrongUpperLength_ThrowsNamingX()
    {
        var problem = QuadraticBilevelProblem.CreateRandom(2, 3, 2, seed: 1);
        var error = Assert.Throws<ArgumentException>(() => LowerLevelFit.Minimize(problem, new double[5]));
        Assert.Contains("x has length 5", error.Message, StringComparison.Ordinal);
    }
}
