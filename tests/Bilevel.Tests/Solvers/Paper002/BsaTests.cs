using Bilevel.Numerics;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper002;

public sealed class BsaTests
{
    [Fact]
    public void Iterate_Counts_EqualCostFormulaWithDrawnProductLength()
    {
        var solver = new Bsa(new BsaOptions { NeumannSteps = 6, NeumannStep = 0.05, InnerStep = StepSize.Constant(0.05) });
        var problem = SolverKit.CheckProblem();
        var state = (RandomizedNeumannState)solver.Start(problem, new double[10], new double[20], 3);
        var lengths = new HashSet<int>();
        for (var k = 0; k < 40; k++)
        {
            var before = problem.Counter.Snapshot();
            solver.Iterate(state);
            var p = state.Estimator.LastProductLength;
            lengths.Add(p);
            var tk = (int)Math.Ceiling(Math.Sqrt(k + 1));
            Assert.Equal(tk, solver.InnerStepsAt(k));
            SolverKit.AssertCounts(
                SolverKit.Expected(upperGradientsX: 1, upperGradientsY: 1, lowerGradientsY: tk, hvps: p, crossProducts: 1, upperSamples: 1, lowerSamples: tk + p + 1),
                problem.Counter.Snapshot() - before, $"iteration {k}", samples: true);
        }

        Assert.All(lengths, p => Assert.InRange(p, 0, 5));
        Assert.True(lengths.Count > 1, "p_k should vary between iterations");
    }

    [Fact]
    public void Estimator_FullBatches_EqualsScaledProductForTheDrawnLength()
    {
        // ∇̄f = ∇x f − ∇²xy g · N η (I − η∇²yy g)^p ∇y f.
        var problem = TestProblems.Quadratic(10, 20, 1);
        var x = TestProblems.RandomVector(10, 2);
        var y = TestProblems.RandomVector(20, 3);
        var estimator = new RandomizedNeumannEstimator(problem, 8, 0.05);
        var full = new BatchSource(1, 0, 0);
        var estimate = new double[10];
        var random = new Random(11);
        for (var draw = 0; draw < 5; draw++)
        {
            estimator.Estimate(problem, x, y, estimate, random, full, full, full);
            var w = Paper002Kit.UpperGradientY(problem, x, y);
            var hw = new double[20];
            for (var i = 0; i < estimator.LastProductLength; i++)
            {
                problem.LowerHvp(x, y, w, hw);
                Vectors.Axpy(-0.05, hw, w);
            }

            var v = w.Select(value => 8 * 0.05 * value).ToArray();
            Check.Close(Paper002Kit.Implicit(problem, x, y, v), estimate, 1e-12, $"draw {draw} (p = {estimator.LastProductLength})");
        }
    }

    [Fact]
    public void Constructor_BadOptions_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("NeumannSteps", () => new Bsa(new BsaOptions { NeumannSteps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("NeumannStep", () => new Bsa(new BsaOptions { NeumannStep = -0.1 }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerStepsPower", () => new Bsa(new BsaOptions { InnerStepsPower = 3 }));
        Assert.Throws<ArgumentOutOfRangeException>("InnerStepsScale", () => new Bsa(new BsaOptions { InnerStepsScale = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>("HessianBatchSize", () => new Bsa(new BsaOptions { HessianBatchSize = -1 }));
    }
}
