using Bilevel.Autodiff;
using Bilevel.Data;
using Bilevel.Problems;
using Bilevel.Problems.HyperCleaning;
using Bilevel.Tensors;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems;

/// <summary>
/// The engine-backed problem base: linear hyper-cleaning written as engine graphs must equal the closed-form problem
/// on every oracle, for full batches split into several chunks and for mini-batches; the CNN hyper-cleaning problem
/// passes the central-difference checks in float64.
/// </summary>
public sealed class NetworkBilevelProblemTests
{
    private static readonly Lazy<LabeledImageSet> Mnist = new(() =>
    {
        var images = MnistFamily.LoadMnistTest();
        PixelNormalization.StandardizeMnist(images.Pixels);
        return images;
    });

    private static HyperCleaningData SmallData() => HyperCleaningData.Create("MNIST", Mnist.Value, 24, 12, 12, 0.4, CorruptionMode.ExactCount, 5);

    /// <summary>Linear hyper-cleaning through the engine (σ(λ) gathered by an embedding lookup).</summary>
    private sealed class EngineLinearHyperCleaning : NetworkBilevelProblem<double>
    {
        private readonly HyperCleaningData _data;

        public EngineLinearHyperCleaning(HyperCleaningData data, int chunkSize)
            : base(Layout("lambda", data.Train.Count, 1), Layout("weight", data.ClassCount, data.FeatureCount), data.Validation.Count, data.Train.Count, chunkSize) =>
            _data = data;

        public override string Name => "engine linear hyper-cleaning";

        protected override Variable<double> UpperLoss(Graph<double> graph, Variable<double>[] x, Variable<double>[] y, ReadOnlySpan<int> rows) =>
            graph.SoftmaxCrossEntropy(graph.MatMul(Rows(graph, _data.Validation, rows, out var labels), y[0], transposeB: true), labels);

        protected override Variable<double> LowerLoss(Graph<double> graph, Variable<double>[] x, Variable<double>[] y, ReadOnlySpan<int> rows)
        {
            var features = Rows(graph, _data.Train, rows, out var labels);
            var lambda = graph.Reshape(graph.Embedding(x[0], rows.ToArray(), rows.Length, 1), rows.Length);
            var loss = graph.SoftmaxCrossEntropy(graph.MatMul(features, y[0], transposeB: true), labels, graph.Sigmoid(lambda));
            return graph.Add(loss, graph.SumOfSquares(y[0], 0.001));
        }

        private Variable<double> Rows(Graph<double> graph, HyperCleaningSplit split, ReadOnlySpan<int> rows, out ReadOnlyMemory<int> labels)
        {
            var d = _data.FeatureCount;
            var values = new double[rows.Length * d];
            var picked = new int[rows.Length];
            for (var r = 0; r < rows.Length; r++)
            {
                for (var j = 0; j < d; j++)
                {
                    values[(r * d) + j] = split.Features[(rows[r] * d) + j];
                }

                picked[r] = split.Labels[rows[r]];
            }

            labels = picked;
            return graph.Constant(new Tensor<double>(values, 0, rows.Length, d));
        }

        private static ParameterLayout Layout(string name, params int[] shape)
        {
            var layout = new ParameterLayout();
            layout.Add(name, shape);
            return layout;
        }
    }

    public static TheoryData<int, int> Cases => new()
    {
        { 0, 5 },   // full batch in chunks of 5 rows (5 chunks for 24 training rows)
        { 0, 512 }, // full batch in one pass
        { 9, 4 },   // mini-batch of 9 in chunks of 4
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Oracles_EngineLinearHyperCleaning_EqualClosedForm(int batchSize, int chunkSize)
    {
        var data = SmallData();
        var closed = new LinearHyperCleaningProblem(data, 0.001, NumericPrecision.Precision64);
        var engine = new EngineLinearHyperCleaning(data, chunkSize);
        var x = TestProblems.RandomVector(closed.UpperDimension, 1);
        var y = TestProblems.RandomVector(closed.LowerDimension, 2, 0.01);
        var v = TestProblems.RandomVector(closed.LowerDimension, 3);
        var lower = batchSize == 0 ? Batch.Full : Batch.Of(TestProblems.RandomIndices(batchSize, 24, 8));
        var upper = batchSize == 0 ? Batch.Full : Batch.Of(TestProblems.RandomIndices(Math.Min(batchSize, 12), 12, 9));

        Check.Close(closed.LowerValue(x, y, lower), engine.LowerValue(x, y, lower), 1e-12, "g");
        Check.Close(closed.UpperValue(x, y, upper), engine.UpperValue(x, y, upper), 1e-12, "f");
        double[] a = new double[closed.UpperDimension], b = new double[closed.UpperDimension];
        double[] c = new double[closed.LowerDimension], e = new double[closed.LowerDimension];
        closed.LowerGradients(x, y, a, c, lower);
        engine.LowerGradients(x, y, b, e, lower);
        Check.Close(a, b, 1e-10, "∇λ g");
        Check.Close(c, e, 1e-10, "∇W g");
        closed.UpperGradientY(x, y, c, upper);
        engine.UpperGradientY(x, y, e, upper);
        Check.Close(c, e, 1e-10, "∇W f");
        closed.LowerHvpAndCrossProduct(x, y, v, c, a, lower);
        engine.LowerHvpAndCrossProduct(x, y, v, e, b, lower);
        Check.Close(c, e, 1e-10, "HVP");
        Check.Close(a, b, 1e-10, "cross product");
    }

    [Fact]
    public void Oracles_CnnHyperCleaningFloat64_MatchCentralDifferences()
    {
        var problem = new CnnHyperCleaningProblem<double>(SmallData(), filters: 4);
        var x = TestProblems.RandomVector(problem.UpperDimension, 1);
        var y = problem.InitialLowerPoint(3);
        var v = TestProblems.RandomVector(problem.LowerDimension, 4);
        var batch = Batch.Of(TestProblems.RandomIndices(8, 24, 6));
        OracleChecks.UpperGradients(problem, x, y, Batch.Of(TestProblems.RandomIndices(6, 12, 7)), gradientXIsZero: true);
        OracleChecks.LowerGradients(problem, x, y, batch);
        OracleChecks.LowerHvp(problem, x, y, v, batch);
        OracleChecks.LowerCrossProduct(problem, x, y, v, batch);
        OracleChecks.FusedSecondOrder(problem, x, y, v, batch);
    }

    [Fact]
    public void Metrics_CnnHyperCleaning_AccuracyInRangeAndAucFromMask()
    {
        var problem = new CnnHyperCleaningProblem<float>(SmallData(), filters: 4);
        var x = problem.Data.CorruptedMask.Select(m => m ? -2.0 : 2.0).ToArray();
        var values = new double[2];
        problem.EvaluateMetrics(x, problem.InitialLowerPoint(0), values);
        Assert.InRange(values[0], 0, 1);
        Assert.Equal(1.0, values[1]);
    }
}
