using Bilevel.Autodiff;
using Bilevel.Data;
using Bilevel.Problems;
using Bilevel.Problems.HyperCleaning;
using Bilevel.Solvers;
using Bilevel.Solvers.Paper002;
using Bilevel.Tensors;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems.HyperCleaning;

/// <summary>
/// Linear hyper-cleaning on real MNIST test images (24 train / 12 validation / 12 test, 40 % corrupted): every
/// closed-form oracle against central differences in float64, against the autodiff engine, float32 against float64,
/// and the traced metrics.
/// </summary>
public sealed class LinearHyperCleaningProblemTests
{
    private static readonly Lazy<LabeledImageSet> Mnist = new(() =>
    {
        var images = MnistFamily.LoadMnistTest();
        PixelNormalization.StandardizeMnist(images.Pixels);
        return images;
    });

    private static HyperCleaningData SmallData(int seed = 5) =>
        HyperCleaningData.Create("MNIST", Mnist.Value, 24, 12, 12, 0.4, CorruptionMode.ExactCount, seed);

    private static (LinearHyperCleaningProblem Problem, double[] X, double[] Y, double[] V) Point(NumericPrecision precision = NumericPrecision.Precision64)
    {
        var problem = new LinearHyperCleaningProblem(SmallData(), 0.001, precision);
        return (problem, TestProblems.RandomVector(problem.UpperDimension, 1), TestProblems.RandomVector(problem.LowerDimension, 2, 0.01),
            TestProblems.RandomVector(problem.LowerDimension, 3));
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
    public void LowerOracles_FullBatch_MatchAutodiffEngine()
    {
        var (problem, x, y, v) = Point();
        var data = problem.Data.Train;
        int n = data.Count, d = problem.Data.FeatureCount, c = problem.Data.ClassCount;
        var upper = new ParameterLayout();
        upper.Add("lambda", n);
        var lower = new ParameterLayout();
        lower.Add("weight", c, d);
        var graph = new Graph<double>(tangents: true);
        double[] gx = new double[n], gy = new double[c * d], cross = new double[n], hvp = new double[c * d];
        var xb = upper.Bind(graph, x, null, gx, cross);
        var yb = lower.Bind(graph, y, v, gy, hvp);
        var features = new Tensor<double>(Array.ConvertAll(data.Features, f => (double)f), 0, n, d);
        var logits = graph.MatMul(graph.Constant(features), yb[0], transposeB: true);
        var loss = graph.Add(graph.SoftmaxCrossEntropy(logits, data.Labels, graph.Sigmoid(xb[0])), graph.SumOfSquares(yb[0], 0.001));
        graph.Backward(loss);

        Check.Close(problem.LowerValue(x, y), loss.Value[0], 1e-12, "g");
        var (gxClosed, gyClosed) = (new double[n], new double[c * d]);
        problem.LowerGradients(x, y, gxClosed, gyClosed);
        Check.Close(gx, gxClosed, 1e-10, "∇λ g");
        Check.Close(gy, gyClosed, 1e-10, "∇W g");
        var (hvpClosed, crossClosed) = (new double[c * d], new double[n]);
        problem.LowerHvpAndCrossProduct(x, y, v, hvpClosed, crossClosed);
        Check.Close(hvp, hvpClosed, 1e-10, "HVP");
        Check.Close(cross, crossClosed, 1e-10, "cross product");
    }

    [Fact]
    public void Oracles_Float32_AgreeWithFloat64()
    {
        var (p64, x, y, v) = Point(NumericPrecision.Precision64);
        var (p32, _, _, _) = Point(NumericPrecision.Precision32);
        var batch = Batch.Of(TestProblems.RandomIndices(10, 24, 4));
        void Compare(Action<BilevelProblem, double[]> oracle, int length, string what)
        {
            double[] a = new double[length], b = new double[length];
            oracle(p64, a);
            oracle(p32, b);
            Check.Close(a, b, 1e-4, what);
        }

        Compare((p, o) => p.LowerGradientY(x, y, o, batch), p64.LowerDimension, "∇W g");
        Compare((p, o) => p.LowerGradientX(x, y, o, batch), p64.UpperDimension, "∇λ g");
        Compare((p, o) => p.LowerHvp(x, y, v, o, batch), p64.LowerDimension, "HVP");
        Compare((p, o) => p.LowerCrossProduct(x, y, v, o, batch), p64.UpperDimension, "cross product");
        Compare((p, o) => p.UpperGradientY(x, y, o), p64.LowerDimension, "∇W f");
        Check.Close(p64.UpperValue(x, y), p32.UpperValue(x, y), 1e-5, "f");
    }

    [Fact]
    public void LowerGradientX_MiniBatch_IsNonZeroOnlyOnBatchRows()
    {
        var (problem, x, y, _) = Point();
        var rows = new[] { 3, 17, 5 };
        var gx = new double[problem.UpperDimension];
        problem.LowerGradientX(x, y, gx, Batch.Of(rows));
        for (var i = 0; i < gx.Length; i++)
        {
            Assert.True(rows.Contains(i) ? gx[i] > 0 : gx[i] == 0, $"entry {i} = {gx[i]}");
        }
    }

    [Fact]
    public void Metrics_WeightsFromTrueMask_GiveAucOneAndTestAccuracyInRange()
    {
        var (problem, _, y, _) = Point();
        var x = problem.Data.CorruptedMask.Select(corrupted => corrupted ? -3.0 : 3.0).ToArray();
        var metrics = new double[3];
        problem.EvaluateMetrics(x, y, metrics);
        Assert.Equal(["test accuracy", "test loss", "cleaning AUC"], problem.MetricNames);
        Assert.InRange(metrics[0], 0, 1);
        Assert.True(metrics[1] > 0);
        Assert.Equal(1.0, metrics[2]);
        Assert.Equal(0.0, problem.CleaningAuc(x.Select(v => -v).ToArray()));
    }

    [Fact]
    public void Create_Splits_AreDisjointAndCorruptionIsRecorded()
    {
        var data = SmallData();
        Assert.Empty(data.TrainIndices.Intersect(data.ValidationIndices).Concat(data.TrainIndices.Intersect(data.TestIndices)));
        Assert.Equal(LabelCorruption.ExactCount(24, 0.4), data.CorruptedMask.Count(m => m));
        for (var i = 0; i < 24; i++)
        {
            Assert.Equal(data.CorruptedMask[i], data.Train.Labels[i] != data.TrueTrainLabels[i]);
            Assert.Equal(1f, data.Train.Features[(i * data.FeatureCount) + data.FeatureCount - 1]);
        }
    }

    [Fact]
    public void Constructor_NegativeRegularization_ThrowsNamingIt() =>
        Assert.Throws<ArgumentOutOfRangeException>("regularization", () => new LinearHyperCleaningProblem(SmallData(), -1));

    [Fact]
    public void SolverRunner_DivergedRun_FinalRowIsNaNNotMetricsOfNaNIterates()
    {
        // An upper step of 10⁶ sends the weight logits to ±∞ and then NaN. Metrics of NaN iterates are garbage here (accuracy
        // 0.25) and throw in other problems (the review hyper-cleaning AUC), so the runner must not evaluate them.
        var solver = new AidBiO(new AidBiOOptions(StepSize.Constant(1e6), StepSize.Constant(0.5), InnerSteps: 2, CgIterations: 2));
        var trace = SolverRunner.Run(solver, new LinearHyperCleaningProblem(SmallData(), 0.001, NumericPrecision.Precision64), new RunSettings(new RunBudget(10_000)));
        Assert.Equal(StopReason.Diverged, trace.StopReason);
        Assert.True(double.IsNaN(trace.Final.UpperLoss));
        Assert.All(trace.Final.Metrics, value => Assert.True(double.IsNaN(value)));
        Assert.True(trace.Rows.Count >= 2);
        Assert.True(double.IsFinite(trace.Rows[0].Metrics[2]));
    }
}
