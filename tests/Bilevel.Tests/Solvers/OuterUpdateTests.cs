using Bilevel.Solvers;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers;

public class OuterUpdateTests
{
    [Fact]
    public void Apply_Sgd_TakesThePlainStep()
    {
        var update = new OuterUpdate(OuterOptimizer.Sgd, 2);
        double[] target = [1, 2];
        update.Apply(0.5, [2, -4], target);
        Assert.Equal([0, 4], target);
    }

    [Fact]
    public void Apply_AdamTwoSteps_MatchesTheBiasCorrectedFormula()
    {
        var update = new OuterUpdate(OuterOptimizer.Adam, 2);
        double[] target = [1, 2];
        double[] g1 = [3, -0.5];
        double[] g2 = [-1, 0.25];
        update.Apply(0.1, g1, target);
        update.Apply(0.1, g2, target);

        for (var i = 0; i < 2; i++)
        {
            // Written out: m₁ = 0.1 g₁, v₁ = 0.001 g₁²; m₂ = 0.9 m₁ + 0.1 g₂, v₂ = 0.999 v₁ + 0.001 g₂².
            var expected = (i == 0 ? 1.0 : 2.0) - (0.1 * Math.Sign(g1[i]) * Math.Abs(g1[i]) / (Math.Abs(g1[i]) + 1e-8));
            var m2 = (0.9 * 0.1 * g1[i]) + (0.1 * g2[i]);
            var v2 = (0.999 * 0.001 * g1[i] * g1[i]) + (0.001 * g2[i] * g2[i]);
            expected -= 0.1 * (m2 / (1 - (0.9 * 0.9))) / (Math.Sqrt(v2 / (1 - (0.999 * 0.999))) + 1e-8);
            Assert.Equal(expected, target[i], 12);
        }

        Assert.Equal(2, update.Steps);
    }

    [Fact]
    public void Apply_WrongLength_ThrowsNamingTheLengths()
    {
        var update = new OuterUpdate(OuterOptimizer.Adam, 3);
        var e = Assert.Throws<ArgumentException>(() => update.Apply(0.1, new double[2], new double[2]));
        Assert.Contains("made for 3", e.Message);
    }

    [Theory]
    [InlineData("itd-bio")]
    [InlineData("aid-bio")]
    [InlineData("maml")]
    [InlineData("anil")]
    public void Iterate_AdamOptimizer_FirstStepMovesEachCoordinateByTheStepSize(string name)
    {
        var problem = SolverKit.CheckProblem();
        var solver = SolverCatalog.Get(name).Create(new Dictionary<string, string> { ["optimizer"] = "adam", ["outer-step"] = "0.01" });
        var x0 = new double[problem.UpperDimension];
        var state = solver.Start(problem, x0, new double[problem.LowerDimension], 0);
        solver.Iterate(state);
        foreach (var value in state.X)
        {
            // Adam's first bias-corrected step is β·g/(|g| + ε) = ±β for every coordinate with g ≠ 0.
            Assert.Equal(0.01, Math.Abs(value), 6);
        }
    }
}
