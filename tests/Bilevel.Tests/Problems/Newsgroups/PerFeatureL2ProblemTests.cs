using Bilevel.Data.Text;
using Bilevel.Problems;
using Bilevel.Problems.Newsgroups;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems.Newsgroups;

/// <summary>
/// The per-feature L2 problem of paper 002 §4.2 on small random sparse data (30 train rows, 50 features, 4 classes, with
/// empty rows and empty columns): every closed-form oracle against central differences in float64, batch means,
/// HVP symmetry, the cross product against the derivative of ∇W g along λ, thread-count determinism, counts,
/// allocation and metrics.
/// </summary>
public sealed class PerFeatureL2ProblemTests
{
    private const int Features = 50;
    private const int Classes = 4;

    /// <summary>Random CSR rows: each entry present with probability <paramref name="density"/>, positive values; rows in
    /// <paramref name="emptyRows"/> and columns in <paramref name="emptyColumns"/> hold nothing.</summary>
    internal static SparseLabeledSet RandomSet(int rows, int features, int classes, double density, int seed, int[] emptyRows, int[] emptyColumns)
    {
        var rng = new Random(seed);
        var dense = new double[rows * features];
        var labels = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            labels[i] = rng.Next(classes);
            if (emptyRows.Contains(i))
            {
                continue;
            }

            for (var j = 0; j < features; j++)
            {
                if (!emptyColumns.Contains(j) && rng.NextDouble() < density)
                {
                    dense[(i * features) + j] = 0.1 + rng.NextDouble();
                }
            }
        }

        return new SparseLabeledSet(SparseMatrix.FromDense(dense, rows, features), labels);
    }

    internal static PerFeatureL2Data SmallData(int features = Features) => new(
        "random",
        Classes,
        RandomSet(30, features, Classes, 0.15, 1, [0, 7], [3, 11]),
        RandomSet(12, features, Classes, 0.15, 2, [5], [3]),
        RandomSet(10, features, Classes, 0.15, 3, [], []));

    private static (PerFeatureL2Problem Problem, double[] X, double[] Y, double[] V) Point()
    {
        var problem = new PerFeatureL2Problem(SmallData());
        return (problem, TestProblems.RandomVector(problem.UpperDimension, 4), TestProblems.RandomVector(problem.LowerDimension, 5, 0.5),
            TestProblems.RandomVector(problem.LowerDimension, 6));
    }

    public static TheoryData<int> BatchSizes => new() { 0, 7 };

    private static Batch MakeBatch(int size, int count) => size == 0 ? Batch.Full : Batch.Of(TestProblems.RandomIndices(size, count, 9));

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void Oracles_Float64_MatchCentralDifferences(int batchSize)
    {
        var (problem, x, y, v) = Point();
        OracleChecks.UpperGradients(problem, x, y, MakeBatch(batchSize, problem.UpperSampleCount), gradientXIsZero: true);
        var lower = MakeBatch(batchSize, problem.LowerSampleCount);
        OracleChecks.LowerGradients(problem, x, y, lower);
        OracleChecks.LowerHvp(problem, x, y, v, lower);
        OracleChecks.LowerCrossProduct(problem, x, y, v, lower);
        OracleChecks.FusedSecondOrder(problem, x, y, v, lower);
    }

    [Fact]
    public void LowerCrossProduct_RandomDirections_MatchesDerivativeOfGradientAlongLambda()
    {
        var (problem, x, y, v) = Point();
        var batch = MakeBatch(7, problem.LowerSampleCount);
        var cross = new double[problem.UpperDimension];
        problem.LowerCrossProduct(x, y, v, cross, batch);
        for (var seed = 10; seed < 13; seed++)
        {
            // d/dt ∇W g(λ + t u, W) at t = 0 is ∇²Wλ g · u; its inner product with V must be ⟨∇²λW g · V, u⟩.
            var u = TestProblems.RandomVector(problem.UpperDimension, seed);
            var derivative = FiniteDifference.DirectionalDerivative(xx => TestProblems.LowerGradientY(problem, xx, y, batch), x, u);
            Check.Close(OracleChecks.Dot(derivative, v), OracleChecks.Dot(cross, u), 1e-6, $"⟨∂λ∇W g · u, V⟩ (seed {seed})");
        }
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void LowerHvp_TwoDirections_IsSymmetric(int batchSize)
    {
        var (problem, x, y, v) = Point();
        var u = TestProblems.RandomVector(problem.LowerDimension, 7);
        var batch = MakeBatch(batchSize, problem.LowerSampleCount);
        var hu = new double[problem.LowerDimension];
        var hv = new double[problem.LowerDimension];
        problem.LowerHvp(x, y, u, hu, batch);
        problem.LowerHvp(x, y, v, hv, batch);
        Check.Close(OracleChecks.Dot(v, hu), OracleChecks.Dot(u, hv), 1e-12, "vᵀHu vs uᵀHv");
    }

    [Fact]
    public void LowerOracles_Batch_AreMeansOfSingleRowBatches()
    {
        var (problem, x, y, v) = Point();
        foreach (var rows in new[] { new[] { 4, 0, 19, 7, 22 }, Enumerable.Range(0, problem.LowerSampleCount).ToArray() })
        {
            var batch = rows.Length == problem.LowerSampleCount ? Batch.Full : Batch.Of(rows);
            var (value, gradient, hvp) = LowerOutputs(problem, x, y, v, batch);
            var meanValue = 0.0;
            var meanGradient = new double[problem.LowerDimension];
            var meanHvp = new double[problem.LowerDimension];
            foreach (var row in rows)
            {
                var (rowValue, rowGradient, rowHvp) = LowerOutputs(problem, x, y, v, Batch.Of([row]));
                meanValue += rowValue / rows.Length;
                for (var k = 0; k < meanGradient.Length; k++)
                {
                    meanGradient[k] += rowGradient[k] / rows.Length;
                    meanHvp[k] += rowHvp[k] / rows.Length;
                }
            }

            Check.Close(meanValue, value, 1e-12, $"g over {batch}");
            Check.Close(meanGradient, gradient, 1e-12, $"∇W g over {batch}");
            Check.Close(meanHvp, hvp, 1e-12, $"HVP over {batch}");
        }
    }

    [Fact]
    public void LowerOracles_RepeatedIndex_CountsTheRowTwice()
    {
        var (problem, x, y, v) = Point();
        var (twiceValue, twiceGradient, _) = LowerOutputs(problem, x, y, v, Batch.Of([4, 4, 9]));
        var (fourValue, fourGradient, _) = LowerOutputs(problem, x, y, v, Batch.Of([4]));
        var (nineValue, nineGradient, _) = LowerOutputs(problem, x, y, v, Batch.Of([9]));
        Check.Close(((2 * fourValue) + nineValue) / 3, twiceValue, 1e-12, "g");
        Check.Close(fourGradient.Zip(nineGradient, (a, b) => ((2 * a) + b) / 3).ToArray(), twiceGradient, 1e-12, "∇W g");
    }

    [Fact]
    public void PenaltyOracles_AnyBatch_DoNotDependOnTheBatch()
    {
        var (problem, x, y, v) = Point();
        double[] Gx(Batch batch)
        {
            var g = new double[problem.UpperDimension];
            problem.LowerGradientX(x, y, g, batch);
            return g;
        }

        double[] Cross(Batch batch)
        {
            var c = new double[problem.UpperDimension];
            problem.LowerCrossProduct(x, y, v, c, batch);
            return c;
        }

        Check.BitwiseEqual(Gx(Batch.Full), Gx(Batch.Of([3, 8])), "∇λ g");
        Check.BitwiseEqual(Cross(Batch.Full), Cross(Batch.Of([3, 8])), "cross product");

        // Feature j = 3 has no entries in any training row: ∇W g there is the penalty gradient alone, 2 exp(λ₃) w₃ₖ / (cp).
        var gy = TestProblems.LowerGradientY(problem, x, y);
        for (var k = 0; k < Classes; k++)
        {
            var at = (3 * Classes) + k;
            Check.Close(2 * Math.Exp(x[3]) * y[at] / (Classes * Features), gy[at], 1e-14, $"∇W g at the empty feature, class {k}");
        }
    }

    [Fact]
    public void Values_AtZeroWeights_AreLogClassCountAndMetricsCountClassZero()
    {
        var (problem, x, _, _) = Point();
        var zero = new double[problem.LowerDimension];
        Assert.Equal(Math.Log(Classes), problem.LowerValue(x, zero), 14);
        Assert.Equal(Math.Log(Classes), problem.UpperValue(x, zero), 14);
        var metrics = new double[2];
        problem.EvaluateMetrics(x, zero, metrics);
        Assert.Equal(["test accuracy", "test loss"], problem.MetricNames);
        // All logits tie at 0: the prediction is class 0.
        Assert.Equal(problem.Data.Test.Labels.Count(l => l == 0) / 10.0, metrics[0], 14);
        Assert.Equal(Math.Log(Classes), metrics[1], 14);
    }

    [Fact]
    public void Values_RandomPoint_MatchDenseReferenceWithPaperPenalty()
    {
        var (problem, x, y, _) = Point();
        var penalty = 0.0;
        for (var j = 0; j < Features; j++)
        {
            for (var k = 0; k < Classes; k++)
            {
                penalty += Math.Exp(x[j]) * y[(j * Classes) + k] * y[(j * Classes) + k];
            }
        }

        // The paper's (1/(cp)) Σ exp(λⱼ) wⱼₖ², not the code's 1/(2cp).
        penalty /= Classes * Features;
        Check.Close(DenseScore(problem.Data.Train, y).Loss + penalty, problem.LowerValue(x, y), 1e-12, "g");
        Check.Close(DenseScore(problem.Data.Validation, y).Loss, problem.UpperValue(x, y), 1e-12, "f");
        var (accuracy, loss) = DenseScore(problem.Data.Test, y);
        var (testAccuracy, testLoss) = problem.TestScore(y);
        Assert.Equal(accuracy, testAccuracy, 14);
        Check.Close(loss, testLoss, 1e-12, "test loss");
    }

    /// <summary>Accuracy and mean cross-entropy of feature-major W on a split, through a dense copy of its rows.</summary>
    private static (double Accuracy, double Loss) DenseScore(SparseLabeledSet set, double[] y)
    {
        var dense = set.Features.ToDense();
        var correct = 0;
        var loss = 0.0;
        for (var i = 0; i < set.Count; i++)
        {
            var z = new double[Classes];
            for (var j = 0; j < Features; j++)
            {
                for (var k = 0; k < Classes; k++)
                {
                    z[k] += dense[(i * Features) + j] * y[(j * Classes) + k];
                }
            }

            var best = Array.IndexOf(z, z.Max());
            correct += best == set.Labels[i] ? 1 : 0;
            loss += Math.Log(z.Sum(Math.Exp)) - z[set.Labels[i]];
        }

        return (correct / (double)set.Count, loss / set.Count);
    }

    [Fact]
    public void Oracles_ThreadCountsAndRepeatedCalls_AreBitIdentical()
    {
        // Enough rows and features for several partitions in both passes (600 rows → 5, 3000 features → 6).
        var data = new PerFeatureL2Data("random", 5, RandomSet(600, 3000, 5, 0.01, 11, [2], [7]), RandomSet(300, 3000, 5, 0.01, 12, [], []),
            RandomSet(50, 3000, 5, 0.01, 13, [], []));
        var problem = new PerFeatureL2Problem(data);
        Assert.True(SparseSoftmaxRegression.RowPartitions(600) > 1 && SparseSoftmaxRegression.FeaturePartitions(3000) > 1);
        var x = TestProblems.RandomVector(problem.UpperDimension, 1);
        var y = TestProblems.RandomVector(problem.LowerDimension, 2, 0.5);
        var v = TestProblems.RandomVector(problem.LowerDimension, 3);
        var batch = Batch.Of(TestProblems.RandomIndices(300, 600, 4));
        double[][] All()
        {
            var outputs = new List<double[]>();
            foreach (var b in new[] { Batch.Full, batch })
            {
                var (gx, gy) = (new double[problem.UpperDimension], new double[problem.LowerDimension]);
                var (hvp, cross) = (new double[problem.LowerDimension], new double[problem.UpperDimension]);
                var fy = new double[problem.LowerDimension];
                problem.LowerGradients(x, y, gx, gy, b);
                problem.LowerHvpAndCrossProduct(x, y, v, hvp, cross, b);
                problem.UpperGradientY(x, y, fy, Batch.Full);
                outputs.AddRange([gx, gy, hvp, cross, fy, [problem.LowerValue(x, y, b), problem.UpperValue(x, y)]]);
            }

            return [.. outputs];
        }

        problem.Threads = 1;
        var single = All();
        foreach (var threads in new[] { 2, 4, 1 })
        {
            problem.Threads = threads;
            var again = All();
            for (var o = 0; o < single.Length; o++)
            {
                Check.BitwiseEqual(single[o], again[o], $"output {o} with {threads} threads");
            }
        }
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void Oracles_SteadyState_DoNotAllocate(int batchSize)
    {
        var (problem, x, y, v) = Point();
        problem.Threads = 1;
        var batch = MakeBatch(batchSize, problem.LowerSampleCount);
        var (gx, gy) = (new double[problem.UpperDimension], new double[problem.LowerDimension]);
        var (hvp, cross) = (new double[problem.LowerDimension], new double[problem.UpperDimension]);
        void Calls()
        {
            problem.LowerValue(x, y, batch);
            problem.LowerGradients(x, y, gx, gy, batch);
            problem.LowerHvpAndCrossProduct(x, y, v, hvp, cross, batch);
            problem.UpperValue(x, y);
            problem.UpperGradients(x, y, gx, gy);
        }

        Assert.Equal(0, Allocations.SteadyState(Calls));
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void Oracles_EachCall_CountsItsOracleAndBatchSamples(int batchSize)
    {
        var (problem, x, y, v) = Point();
        var lower = MakeBatch(batchSize, problem.LowerSampleCount);
        var upper = MakeBatch(batchSize, problem.UpperSampleCount);
        long lowerSamples = batchSize == 0 ? 30 : batchSize, upperSamples = batchSize == 0 ? 12 : batchSize;
        var (gx, gy) = (new double[problem.UpperDimension], new double[problem.LowerDimension]);
        var (hvp, cross) = (new double[problem.LowerDimension], new double[problem.UpperDimension]);
        OracleCounts Delta(Action call)
        {
            var before = problem.Counter.Snapshot();
            call();
            return (problem.Counter.Snapshot() - before) with { OracleTicks = 0 };
        }

        OracleCounts zero = default;
        Assert.Equal(zero with { LowerValues = 1, LowerSamples = lowerSamples }, Delta(() => problem.LowerValue(x, y, lower)));
        Assert.Equal(zero with { UpperValues = 1, UpperSamples = upperSamples }, Delta(() => problem.UpperValue(x, y, upper)));
        Assert.Equal(zero with { LowerGradientsX = 1, LowerGradientsY = 1, LowerSamples = lowerSamples }, Delta(() => problem.LowerGradients(x, y, gx, gy, lower)));
        Assert.Equal(zero with { UpperGradientsY = 1, UpperSamples = upperSamples }, Delta(() => problem.UpperGradientY(x, y, gy, upper)));
        Assert.Equal(zero with { Hvps = 1, LowerSamples = lowerSamples }, Delta(() => problem.LowerHvp(x, y, v, hvp, lower)));
        Assert.Equal(zero with { Hvps = 1, CrossProducts = 1, LowerSamples = lowerSamples }, Delta(() => problem.LowerHvpAndCrossProduct(x, y, v, hvp, cross, lower)));

        // Metrics are not oracle calls.
        Assert.Equal(zero, Delta(() => problem.EvaluateMetrics(x, y, new double[2])));
    }

    [Fact]
    public void Constructor_SplitsWithDifferentFeatureCounts_ThrowsNamingTheSplit()
    {
        var data = SmallData() with { Test = RandomSet(10, Features + 1, Classes, 0.15, 3, [], []) };
        var ex = Assert.Throws<ArgumentException>(() => new PerFeatureL2Problem(data));
        Assert.Equal($"the test split has {Features + 1} features, the train split {Features}", ex.Message);
    }

    [Fact]
    public void Constructor_SmallData_HasFeatureMajorShapes()
    {
        var problem = new PerFeatureL2Problem(SmallData());
        Assert.Equal((Features, Features * Classes, 12, 30), (problem.UpperDimension, problem.LowerDimension, problem.UpperSampleCount, problem.LowerSampleCount));
        Assert.Equal("newsgroups-l2(random, p=50, n=30/12/10)", problem.Name);
    }

    private static (double Value, double[] Gradient, double[] Hvp) LowerOutputs(PerFeatureL2Problem problem, double[] x, double[] y, double[] v, Batch batch)
    {
        var gradient = new double[problem.LowerDimension];
        var hvp = new double[problem.LowerDimension];
        problem.LowerGradientY(x, y, gradient, batch);
        problem.LowerHvp(x, y, v, hvp, batch);
        return (problem.LowerValue(x, y, batch), gradient, hvp);
    }
}
