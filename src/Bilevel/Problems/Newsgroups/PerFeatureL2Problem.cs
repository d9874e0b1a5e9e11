using Bilevel.Tensors;

namespace Bilevel.Problems.Newsgroups;

/// <summary>
/// Per-feature L2 hyperparameters of a c-class logistic regression (paper 002 §4.2 / App. A.2 on 20 Newsgroups, after
/// Grazzi et al. 2020): x = λ ∈ R^p, one log-regularization per input feature; y = W ∈ R^{p×c}, stored
/// <b>feature-major</b> (row-major p × c, entry (j, k) at j·c + k, so the c weights a sparse feature touches are
/// contiguous);
/// g(λ, W) = (1/|D_tr|) Σᵢ CE(xᵢ W, yᵢ) + (1/(cp)) Σⱼ Σₖ exp(λⱼ) wⱼₖ² on the training rows and
/// f(W) = (1/|D_val|) Σᵢ CE(xᵢ W, yᵢ) on the validation rows (no direct dependence on λ, so ∇λ f = 0).
/// </summary>
/// <remarks>
/// <para>
/// The penalty follows the paper's text, (1/(cp)) Σ exp(λⱼ) wⱼₖ². The paper's code writes 0.5·mean(w²·exp(λ)), i.e.
/// (1/(2cp)) Σ exp(λⱼ) wⱼₖ²: the same problem with λ shifted, λ_code = λ_paper + ln 2.
/// </para>
/// <para>
/// Oracles (closed form, <see cref="SparseSoftmaxRegression"/>; no dense n × p matrix): ∇W g = (1/b) Σᵢ xᵢᵀ(pᵢ − e_{yᵢ})
/// + (2/(cp)) exp(λⱼ) wⱼₖ; ∇λ g = (1/(cp)) exp(λⱼ) Σₖ wⱼₖ²; ∇²WW g · V = (1/b) Σᵢ xᵢᵀ ṗᵢ + (2/(cp)) exp(λⱼ) vⱼₖ
/// with ṗᵢ = pᵢ ⊙ (xᵢV − pᵢ·xᵢV); ∇²λW g · V = (2/(cp)) exp(λⱼ) Σₖ wⱼₖ vⱼₖ. A mini-batch B averages the data term
/// over its rows, (1/|B|) Σ_{i∈B} CEᵢ, so it is unbiased; the penalty does not depend on the batch (∇λ g and the cross
/// product are the same for every batch). Upper batches average over validation rows.
/// </para>
/// <para>
/// Threads: both passes run on <see cref="Threads"/> threads (default <see cref="Blas.Threads"/>) with a fixed
/// partition and a fixed-order reduction, so results are bit-identical for any thread count. Steady-state calls do not
/// allocate. Traced metrics: test accuracy and test loss (mean cross-entropy) of W.
/// </para>
/// </remarks>
public sealed class PerFeatureL2Problem : BilevelProblem, ITracedProblem
{
    private readonly SparseSoftmaxRegression _train;
    private readonly SparseSoftmaxRegression _validation;
    private readonly SparseSoftmaxRegression _test;

    /// <exception cref="ArgumentException">The splits disagree on p, are empty, or hold labels outside [0, c).</exception>
    public PerFeatureL2Problem(PerFeatureL2Data data)
        : base(Check(data).FeatureCount, checked(data.FeatureCount * data.ClassCount), data.Validation.Count, data.Train.Count)
    {
        Data = data;
        _train = new SparseSoftmaxRegression(data.Train.Features, data.Train.Labels, data.ClassCount);
        _validation = new SparseSoftmaxRegression(data.Validation.Features, data.Validation.Labels, data.ClassCount);
        _test = new SparseSoftmaxRegression(data.Test.Features, data.Test.Labels, data.ClassCount);
        Name = $"newsgroups-l2({data.Name}, p={data.FeatureCount}, n={data.Train.Count}/{data.Validation.Count}/{data.Test.Count})";
    }

    public override string Name { get; }

    /// <summary>The data: train, validation and test rows.</summary>
    public PerFeatureL2Data Data { get; }

    /// <summary>p.</summary>
    public int FeatureCount => Data.FeatureCount;

    /// <summary>c.</summary>
    public int ClassCount => Data.ClassCount;

    /// <summary>Threads the oracles run on; null (the default) follows <see cref="Blas.Threads"/> at each call.</summary>
    public int? Threads
    {
        get;
        set
        {
            if (value is { } threads)
            {
                ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads, nameof(Threads));
            }

            field = value;
        }
    }

    public IReadOnlyList<string> MetricNames { get; } = ["test accuracy", "test loss"];

    public void EvaluateMetrics(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> values)
    {
        var (accuracy, loss) = TestScore(y);
        values[0] = accuracy;
        values[1] = loss;
    }

    /// <summary>Accuracy (argmax of the logits, ties to the lower class) and mean cross-entropy of W on the test rows.</summary>
    public (double Accuracy, double Loss) TestScore(ReadOnlySpan<double> y)
    {
        CheckLength(y, LowerDimension, nameof(y));
        var result = Use(_test).Evaluate([], y, [], [], [], [], [], [], loss: true, penalty: false);
        return (result.Accuracy, result.Loss);
    }

    /// <summary>Accuracy of W on the validation rows (the upper level's data).</summary>
    public double ValidationAccuracy(ReadOnlySpan<double> y)
    {
        CheckLength(y, LowerDimension, nameof(y));
        return Use(_validation).Evaluate([], y, [], [], [], [], [], [], loss: true, penalty: false).Accuracy;
    }

    protected override double UpperValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        Use(_validation).Evaluate(batch.Indices, y, [], [], [], [], [], [], loss: true, penalty: false).Loss;

    protected override double LowerValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch)
    {
        var result = Use(_train).Evaluate(batch.Indices, y, [], x, [], [], [], [], loss: true, penalty: true);
        return result.Loss + result.Penalty;
    }

    protected override void UpperGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
    {
        gradientX.Clear();
        if (!gradientY.IsEmpty)
        {
            Use(_validation).Evaluate(batch.Indices, y, [], [], gradientY, [], [], [], loss: false, penalty: false);
        }
    }

    protected override void LowerGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch) =>
        Use(_train).Evaluate(batch.Indices, y, [], x, gradientY, [], gradientX, [], loss: false, penalty: false);

    protected override void LowerSecondOrderCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch) =>
        Use(_train).Evaluate(batch.Indices, y, v, x, [], hvp, [], crossProduct, loss: false, penalty: false);

    private SparseSoftmaxRegression Use(SparseSoftmaxRegression model)
    {
        model.Threads = Threads ?? Math.Max(1, Blas.Threads);
        return model;
    }

    private static PerFeatureL2Data Check(PerFeatureL2Data data)
    {
        ArgumentNullException.ThrowIfNull(data);
        data.Validate();
        return data;
    }
}
