using Bilevel.Numerics;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper002;

public sealed class MamlTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    public void Iterate_Counts_EqualCostFormula(int t)
    {
        var solver = new Maml(new MamlOptions { InnerSteps = t, TaskBatchSize = 8 });
        var (start, counts) = SolverKit.CountIterations(solver, SolverKit.CheckProblem(), 3);
        SolverKit.AssertCounts(default, start, "start");
        foreach (var c in counts)
        {
            SolverKit.AssertCounts(
                SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsX: t, lowerGradientsY: t, upperSamples: 8, lowerSamples: 8 * t),
                c, "one iteration", samples: true);
        }
    }

    [Fact]
    public void Iterate_FullBatch_EqualsFirstOrderMamlRecursion()
    {
        var problem = TestProblems.Quadratic(10, 20, 1);
        var x = TestProblems.RandomVector(10, 2);
        var y = TestProblems.RandomVector(20, 3);
        var solver = new Maml(new MamlOptions(StepSize.Constant(0.05), StepSize.Constant(0.01), InnerSteps: 3, TaskBatchSize: 0));
        var state = (Maml.State)solver.Start(problem, x, y, 0);
        solver.Iterate(state);
        var xa = x.ToArray();
        var ya = y.ToArray();
        var gx = new double[10];
        var gy = new double[20];
        for (var t = 0; t < 3; t++)
        {
            problem.LowerGradients(xa, ya, gx, gy);
            Vectors.Axpy(-0.05, gx, xa);
            Vectors.Axpy(-0.05, gy, ya);
        }

        problem.UpperGradients(xa, ya, gx, gy);
        Vectors.Axpy(-0.01, gx, x);
        Vectors.Axpy(-0.01, gy, y);
        Check.Close(x, state.X, 1e-14, "meta x");
        Check.Close(y, state.Y, 1e-14, "meta y");
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("InnerSteps", () => new Maml(new MamlOptions { InnerSteps = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("TaskBatchSize", () => new Maml(new MamlOptions { TaskBatchSize = -5 }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerStep", () => new Maml(new MamlOptions { InnerStep = StepSize.Constant(0) }));
    }
}
