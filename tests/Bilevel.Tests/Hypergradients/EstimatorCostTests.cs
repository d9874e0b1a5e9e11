using Bilevel.Hypergradients;
using Bilevel.LinearSolvers;
using Bilevel.Problems;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Hypergradients;

/// <summary>
/// The <see cref="OracleCounts"/> that <see cref="HypergradientMethod.Estimate"/> returns equal each class's documented
/// cost formula, written here as explicit functions of T (inner steps) or the solver's iterations, with the samples
/// each call touches (b = batch size, n = 200 on the full batch) on a least-squares problem with dy = 4.
/// </summary>
public sealed class EstimatorCostTests
{
    private const int Dimension = 4;

    /// <summary>Counts with only the given fields set (time excluded).</summary>
    private static OracleCounts Cost(long upperGradientsX = 0, long upperGradientsY = 0, long lowerGradientsY = 0,
        long hvps = 0, long crossProducts = 0, long upperSamples = 0, long lowerSamples = 0) =>
        new(0, 0, upperGradientsX, upperGradientsY, 0, lowerGradientsY, hvps, crossProducts, upperSamples, lowerSamples, 0);

    /// <summary>The documented formula of each estimator for T inner steps, batch size b.</summary>
    private static OracleCounts Formula(string estimator, int t, long b) => estimator switch
    {
        // ITD / ES-ITDM: 1 ∇x f + 1 ∇y f + T cross + (T − 1) HVP; the HVP and cross at one iterate are one fused call.
        Estimators.Itd or Estimators.JacobianRecursion => Cost(1, 1, hvps: t - 1, crossProducts: t, upperSamples: b, lowerSamples: t * b),
        // NS with K = T terms: 1 ∇x f + 1 ∇y f + Q = T − 1 HVP + 1 cross.
        Estimators.Neumann => Cost(1, 1, hvps: t - 1, crossProducts: 1, upperSamples: b, lowerSamples: t * b),
        // Fixed point, K = T iterations from a cold start: K − 1 HVP.
        Estimators.FixedPoint => Cost(1, 1, hvps: t - 1, crossProducts: 1, upperSamples: b, lowerSamples: t * b),
        // FSLA: T ∇y f + (T − 1) HVP + 1 ∇x f + 1 cross.
        Estimators.Fsla => Cost(1, t, hvps: t - 1, crossProducts: 1, upperSamples: (t + 1) * b, lowerSamples: t * b),
        // Exact: 1 ∇x f + 1 ∇y f + dy HVP + 1 cross, whatever T is.
        Estimators.Exact => Cost(1, 1, hvps: Dimension, crossProducts: 1, upperSamples: b, lowerSamples: (Dimension + 1) * b),
        _ => throw new ArgumentOutOfRangeException(nameof(estimator)),
    };

    public static TheoryData<string, int, int> Cases
    {
        get
        {
            var data = new TheoryData<string, int, int>();
            foreach (var estimator in new[] { Estimators.Itd, Estimators.JacobianRecursion, Estimators.Neumann, Estimators.FixedPoint, Estimators.Fsla, Estimators.Exact })
            {
                foreach (var t in new[] { 1, 2, 5, 10 })
                {
                    data.Add(estimator, t, 0);
                }

                data.Add(estimator, 7, 13);
            }

            return data;
        }
    }

    private static (LeastSquaresBilevelProblem Problem, double[] X, double Step, Batch Batch, long B) Setup(int batchSize)
    {
        var (problem, lambda) = TestProblems.LeastSquares(30, Dimension);
        var batch = batchSize == 0 ? Batch.Full : Batch.Of(TestProblems.RandomIndices(batchSize, problem.SampleCount, 31));
        return (problem, lambda, 0.5 / problem.LowerCurvature(lambda).Smoothness, batch, batchSize == 0 ? problem.SampleCount : batchSize);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Estimate_TInnerSteps_CountsEqualDocumentedFormula(string estimator, int t, int batchSize)
    {
        var (problem, x, step, batch, b) = Setup(batchSize);
        var (_, counts) = Estimators.Run(estimator, problem, x, t, step, batch);
        Assert.Equal(Formula(estimator, t, b), counts);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(25)]
    public void Estimate_NeumannWithQIterations_CountsQHvpsOneCrossOneOfEachUpperGradient(int q)
    {
        var (problem, x, step, _, n) = Setup(0);
        var trajectory = Estimators.Trajectory(problem, x, 3, step);
        var method = new ImplicitDifferentiation(new NeumannSeries(new NeumannSeriesOptions(q, step)));
        var counts = method.Estimate(problem, x, trajectory, new double[Dimension]).Counts with { OracleTicks = 0 };
        Assert.Equal(Cost(1, 1, hvps: q, crossProducts: 1, upperSamples: n, lowerSamples: (q + 1) * n), counts);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    [InlineData(1, true)]
    [InlineData(4, true)]
    public void Estimate_ConjugateGradientWithNIterations_CountsNHvpsColdAndNPlusOneWarm(int iterations, bool warmStart)
    {
        // N ≤ dy with no tolerance: CG runs every iteration (its residual does not vanish earlier).
        var (problem, x, step, _, n) = Setup(0);
        var trajectory = Estimators.Trajectory(problem, x, 3, step);
        var method = new ImplicitDifferentiation(new ConjugateGradient(new ConjugateGradientOptions(iterations, WarmStart: warmStart)));
        var hvps = warmStart ? iterations + 1 : iterations;
        var counts = method.Estimate(problem, x, trajectory, new double[Dimension]).Counts with { OracleTicks = 0 };
        Assert.Equal(Cost(1, 1, hvps: hvps, crossProducts: 1, upperSamples: n, lowerSamples: (hvps + 1) * n), counts);
        Assert.Equal(iterations, method.LastSolve.Iterations);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void Estimate_FixedPointWarmStartWithKIterations_CountsKHvps(int k)
    {
        var (problem, x, step, _, n) = Setup(0);
        var trajectory = Estimators.Trajectory(problem, x, 3, step);
        var method = new ImplicitDifferentiation(new FixedPointIteration(new FixedPointOptions(k, step, WarmStart: true)));
        var counts = method.Estimate(problem, x, trajectory, new double[Dimension]).Counts with { OracleTicks = 0 };
        Assert.Equal(Cost(1, 1, hvps: k, crossProducts: 1, upperSamples: n, lowerSamples: (k + 1) * n), counts);
    }

    [Theory]
    [InlineData(10, 1)]
    [InlineData(10, 4)]
    [InlineData(3, 10)]
    public void Estimate_TruncatedIterativeDifferentiation_CountsMinOfTAndJ(int t, int j)
    {
        var (problem, x, step, _, n) = Setup(0);
        var trajectory = Estimators.Trajectory(problem, x, t, step);
        var counts = new IterativeDifferentiation(j).Estimate(problem, x, trajectory, new double[Dimension]).Counts with { OracleTicks = 0 };
        var m = Math.Min(t, j);
        Assert.Equal(Cost(1, 1, hvps: m - 1, crossProducts: m, upperSamples: n, lowerSamples: m * n), counts);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(50, 0)]
    [InlineData(50, 9)]
    public void Run_InnerGradientDescentTSteps_CountsTLowerGradientsY(int t, int batchSize)
    {
        var (problem, x, step, batch, b) = Setup(batchSize);
        var before = problem.Counter.Snapshot();
        var trajectory = Estimators.Trajectory(problem, x, t, step, batch);
        Assert.Equal(Cost(lowerGradientsY: t, lowerSamples: t * b), (problem.Counter.Snapshot() - before) with { OracleTicks = 0 });
        Assert.Equal(t, trajectory.Steps);
    }

    [Theory]
    [InlineData(Estimators.Itd)]
    [InlineData(Estimators.JacobianRecursion)]
    [InlineData(Estimators.Fsla)]
    public void Estimate_ZeroInnerSteps_OnlyUpperGradientsNoSecondOrderCalls(string estimator)
    {
        // T = 0 is outside the "(T − 1) HVP" formulas: no step to differentiate, so the estimate is ∇x f(x, y_0).
        var (problem, x, step, _, n) = Setup(0);
        var (estimate, counts) = Estimators.Run(estimator, problem, x, 0, step);
        var expected = estimator == Estimators.Fsla
            ? Cost(upperGradientsX: 1, upperSamples: n)
            : Cost(1, 1, upperSamples: n);
        Assert.Equal(expected, counts);
        Assert.All(estimate, value => Assert.Equal(0.0, value)); // ∇x f = 0 on this problem
    }

    [Fact]
    public void Estimate_ForwardRecursionAdvanceAndCurrent_CostO1PerNewIterate()
    {
        // Paper 000: FSLA needs O(1) products per new K — one HVP and one ∇y f per Advance, one cross per read-out.
        var (problem, x, step, _, _) = Setup(0);
        var trajectory = Estimators.Trajectory(problem, x, 30, step);
        var recursion = new ForwardRecursion(step);
        recursion.Reset(Dimension);
        for (var k = 0; k < 29; k++)
        {
            recursion.Advance(problem, x, trajectory.Iterate(k));
        }

        var before = problem.Counter.Snapshot();
        recursion.Advance(problem, x, trajectory.Iterate(29));
        recursion.Current(problem, x, trajectory.Last, new double[Dimension]);
        var delta = (problem.Counter.Snapshot() - before) with { OracleTicks = 0, UpperSamples = 0, LowerSamples = 0 };
        Assert.Equal(Cost(upperGradientsX: 1, upperGradientsY: 1, hvps: 1, crossProducts: 1), delta);
    }
}
