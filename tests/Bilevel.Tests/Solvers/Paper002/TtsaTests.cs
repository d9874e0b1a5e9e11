using Bilevel.Numerics;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper002;

public sealed class TtsaTests
{
    [Fact]
    public void Iterate_Counts_EqualCostFormulaWithDrawnProductLength()
    {
        var solver = new Ttsa(new TtsaOptions { NeumannSteps = 5, NeumannStep = 0.05 });
        var problem = SolverKit.CheckProblem();
        var state = (RandomizedNeumannState)solver.Start(problem, new double[10], new double[20], 1);
        for (var k = 0; k < 20; k++)
        {
            var before = problem.Counter.Snapshot();
            solver.Iterate(state);
            var p = state.Estimator.LastProductLength;
            SolverKit.AssertCounts(
                SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: 1, hvps: p, crossProducts: 1, upperSamples: 1, lowerSamples: 1 + p + 1),
                problem.Counter.Snapshot() - before, $"iteration {k}", samples: true);
        }
    }

    [Fact]
    public void Iterate_FullBatches_UpdatesYThenXAtTheNewY()
    {
        // y_{k+1} = y_k − β_k ∇y g(x_k, y_k); x_{k+1} = x_k − α_k h(x_k, y_{k+1}).
        var problem = TestProblems.Quadratic(10, 20, 1);
        var x = TestProblems.RandomVector(10, 2);
        var y = TestProblems.RandomVector(20, 3);
        var options = new TtsaOptions(StepSize.Decaying(0.08, 0.4), StepSize.Decaying(0.05, 0.6), NeumannSteps: 4, NeumannStep: 0.05);
        var solver = new Ttsa(options);
        var state = (RandomizedNeumannState)solver.Start(problem, x, y, 0);
        for (var k = 0; k < 3; k++)
        {
            var xk = state.X.ToArray();
            var yk = state.Y.ToArray();
            solver.Iterate(state);
            Vectors.Axpy(-options.InnerStep.At(k), TestProblems.LowerGradientY(problem, xk, yk), yk);
            Check.Close(yk, state.Y, 1e-14, $"y_{k + 1}");
            var w = Paper002Kit.UpperGradientY(problem, xk, yk);
            var hw = new double[20];
            for (var i = 0; i < state.Estimator.LastProductLength; i++)
            {
                problem.LowerHvp(xk, yk, w, hw);
                Vectors.Axpy(-0.05, hw, w);
            }

            var h = Paper002Kit.Implicit(problem, xk, yk, w.Select(value => 4 * 0.05 * value).ToArray());
            Vectors.Axpy(-options.OuterStep.At(k), h, xk);
            Check.Close(xk, state.X, 1e-13, $"x_{k + 1}");
        }
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("NeumannStep", () => new Ttsa(new TtsaOptions { NeumannStep = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("NeumannSteps", () => new Ttsa(new TtsaOptions { NeumannSteps = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerStep", () => new Ttsa(new TtsaOptions { InnerStep = StepSize.Constant(0) }));
        Assert.Throws<ArgumentOutOfRangeException>("CrossBatchSize", () => new Ttsa(new TtsaOptions { CrossBatchSize = -3 }));
    }
}
