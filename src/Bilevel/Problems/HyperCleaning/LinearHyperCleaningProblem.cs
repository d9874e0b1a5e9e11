using System.Numerics;
using Bilevel.Data;

namespace Bilevel.Problems.HyperCleaning;

/// <summary>The floating-point type the oracles compute in (inputs and outputs are always float64 vectors).</summary>
public enum NumericPrecision
{
    /// <summary>float32 data and GEMMs (the papers' PyTorch default).</summary>
    Precision32,

    /// <summary>float64 throughout (for finite-difference checks).</summary>
    Precision64,
}

/// <summary>
/// Linear data hyper-cleaning (paper 002 App. A.2, paper 003 Task 1): x = λ ∈ R^n, one logit per training example;
/// y = W ∈ R^{C×d} (row-major, bias folded into the last feature column);
/// g(λ, W) = (1/n) Σᵢ σ(λᵢ) CE(W xᵢ, ỹᵢ) + C_r ‖W‖² on the corrupted training set, and
/// f(W) = (1/m) Σⱼ CE(W xⱼ, yⱼ) on the clean validation set (no direct dependence on λ). All oracles are closed form
/// (<see cref="WeightedSoftmaxRegression{T}"/>), mini-batched: a lower batch B averages over its rows,
/// (1/|B|) Σ_{i∈B} σ(λᵢ) CEᵢ + C_r‖W‖², so it is unbiased; an upper batch averages over validation rows.
/// </summary>
/// <remarks>
/// ∇λ g has entries σ'(λᵢ) CEᵢ / |B| on the batch rows (zero elsewhere); the cross product ∇²λW g · V has entries
/// σ'(λᵢ) (pᵢ − e_{ỹᵢ})·(V xᵢ) / |B|. Traced metrics: test accuracy and loss of W, and the cleaning ROC AUC of the
/// weights σ(λ) against the true corruption mask (high weight = clean).
/// </remarks>
public sealed class LinearHyperCleaningProblem : BilevelProblem, ITracedProblem
{
    private readonly Oracles _train;
    private readonly Oracles _validation;
    private readonly Oracles _test;
    private readonly bool[] _corrupted;
    private readonly double[] _s;
    private readonly double[] _ds;
    private readonly double[] _perRow;
    private readonly double[] _weightBuffer;

    public LinearHyperCleaningProblem(HyperCleaningData data, double regularization = 0.001, NumericPrecision precision = NumericPrecision.Precision32)
        : base(Check(data).Train.Count, data.ClassCount * data.FeatureCount, data.Validation.Count, data.Train.Count)
    {
        if (!(regularization >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(regularization), regularization, "the L2 weight C_r must be non-negative");
        }

        Data = data;
        Regularization = regularization;
        Precision = precision;
        _train = Oracles.Create(data.Train, data.FeatureCount, data.ClassCount, precision);
        _validation = Oracles.Create(data.Validation, data.FeatureCount, data.ClassCount, precision);
        _test = Oracles.Create(data.Test, data.FeatureCount, data.ClassCount, precision);
        _corrupted = data.CorruptedMask;
        var n = data.Train.Count;
        _s = new double[n];
        _ds = new double[n];
        _perRow = new double[n];
        _weightBuffer = new double[n];
        Name = $"linear-hyper-cleaning({data.Name}, n={n}, p={data.CorruptionRate:G3})";
    }

    public override string Name { get; }

    /// <summary>The data: splits, corrupted labels and mask.</summary>
    public HyperCleaningData Data { get; }

    /// <summary>C_r.</summary>
    public double Regularization { get; }

    /// <summary>The compute precision.</summary>
    public NumericPrecision Precision { get; }

    public IReadOnlyList<string> MetricNames { get; } = ["test accuracy", "test loss", "cleaning AUC"];

    public void EvaluateMetrics(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> values)
    {
        var (accuracy, loss) = _test.Score(y);
        values[0] = accuracy;
        values[1] = loss;
        values[2] = CleaningAuc(x);
    }

    /// <summary>ROC AUC of σ(λ) as a clean-vs-corrupted score (1: every clean example outweighs every corrupted one).</summary>
    public double CleaningAuc(ReadOnlySpan<double> x)
    {
        for (var i = 0; i < x.Length; i++)
        {
            _weightBuffer[i] = Sigmoid(x[i]);
        }

        return CleaningQuality.Auc(_weightBuffer, _corrupted);
    }

    /// <summary>Accuracy and mean cross-entropy of W on the test split.</summary>
    public (double Accuracy, double Loss) TestScore(ReadOnlySpan<double> y) => _test.Score(y);

    protected override double UpperValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        _validation.Evaluate(batch.Indices, [], y, [], [], [], [], []);

    protected override double LowerValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch)
    {
        var weights = Weights(x, batch);
        return _train.Evaluate(batch.Indices, weights, y, [], [], [], [], []) + (Regularization * Numerics.Vectors.Norm(y) * Numerics.Vectors.Norm(y));
    }

    protected override void UpperGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
    {
        gradientX.Clear();
        if (!gradientY.IsEmpty)
        {
            _validation.Evaluate(batch.Indices, [], y, [], gradientY, [], [], []);
        }
    }

    protected override void LowerGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
    {
        var weights = Weights(x, batch);
        var rows = batch.IsFull ? x.Length : batch.Indices.Length;
        _train.Evaluate(batch.Indices, weights, y, [], gradientY, gradientX.IsEmpty ? [] : _perRow.AsSpan(0, rows), [], []);
        if (!gradientY.IsEmpty)
        {
            Numerics.Vectors.Axpy(2 * Regularization, y, gradientY);
        }

        if (!gradientX.IsEmpty)
        {
            Scatter(batch, _perRow, gradientX);
        }
    }

    protected override void LowerSecondOrderCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch)
    {
        var weights = Weights(x, batch);
        var rows = batch.IsFull ? x.Length : batch.Indices.Length;
        _train.Evaluate(batch.Indices, weights, y, v, [], [], hvp, crossProduct.IsEmpty ? [] : _perRow.AsSpan(0, rows));
        if (!hvp.IsEmpty)
        {
            Numerics.Vectors.Axpy(2 * Regularization, v, hvp);
        }

        if (!crossProduct.IsEmpty)
        {
            Scatter(batch, _perRow, crossProduct);
        }
    }

    /// <summary>σ(λᵢ) per batch row (and σ'(λᵢ) in <see cref="_ds"/>, same order).</summary>
    private ReadOnlySpan<double> Weights(ReadOnlySpan<double> x, Batch batch)
    {
        var indices = batch.Indices;
        var rows = batch.IsFull ? x.Length : indices.Length;
        for (var r = 0; r < rows; r++)
        {
            var s = Sigmoid(x[batch.IsFull ? r : indices[r]]);
            _s[r] = s;
            _ds[r] = s * (1 - s);
        }

        return _s.AsSpan(0, rows);
    }

    /// <summary>out = 0 except out[iᵣ] = σ'(λ_{iᵣ}) · perRow[r] (adds for repeated indices).</summary>
    private void Scatter(Batch batch, ReadOnlySpan<double> perRow, Span<double> output)
    {
        output.Clear();
        var indices = batch.Indices;
        var rows = batch.IsFull ? output.Length : indices.Length;
        for (var r = 0; r < rows; r++)
        {
            output[batch.IsFull ? r : indices[r]] += _ds[r] * perRow[r];
        }
    }

    private static double Sigmoid(double t) => t >= 0 ? 1 / (1 + Math.Exp(-t)) : Math.Exp(t) / (1 + Math.Exp(t));

    private static HyperCleaningData Check(HyperCleaningData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data;
    }

    /// <summary>One split's closed-form oracles in the chosen precision.</summary>
    private abstract class Oracles
    {
        public static Oracles Create(HyperCleaningSplit split, int d, int c, NumericPrecision precision) => precision == NumericPrecision.Precision64
            ? new Typed<double>(new WeightedSoftmaxRegression<double>(Array.ConvertAll(split.Features, f => (double)f), split.Labels, d, c))
            : new Typed<float>(new WeightedSoftmaxRegression<float>(split.Features, split.Labels, d, c));

        public abstract double Evaluate(ReadOnlySpan<int> rows, ReadOnlySpan<double> weights, ReadOnlySpan<double> w, ReadOnlySpan<double> v,
            Span<double> gradient, Span<double> weightGradient, Span<double> hvp, Span<double> weightCross);

        public abstract (double Accuracy, double Loss) Score(ReadOnlySpan<double> w);

        private sealed class Typed<T>(WeightedSoftmaxRegression<T> model) : Oracles
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            public override double Evaluate(ReadOnlySpan<int> rows, ReadOnlySpan<double> weights, ReadOnlySpan<double> w, ReadOnlySpan<double> v,
                Span<double> gradient, Span<double> weightGradient, Span<double> hvp, Span<double> weightCross) =>
                model.Evaluate(rows, weights, w, v, gradient, weightGradient, hvp, weightCross);

            public override (double Accuracy, double Loss) Score(ReadOnlySpan<double> w) => model.Score(w);
        }
    }
}
