using System.Numerics;
using Bilevel.Data;
using Bilevel.Tensors;

namespace Bilevel.Problems.Reviews;

/// <summary>
/// Paper 004 §4.3, eq. (5): data hyper-cleaning of Sentiment140 tweets with the RNN classifier. x = (λ_1 … λ_n), one
/// weight logit per training tweet; y = w, the <see cref="RnnClassifier{T}"/>'s parameters;
/// g(x, w) = (1/|B|) Σ_{i∈B} σ(λ_i) CE(w; ζ_i) + c‖w‖² on the training tweets, whose labels were flipped to the other
/// class with probability p (F.3); f(x, w) = (1/|B'|) Σ_{ξ∈B'} CE(w; ξ) on a clean validation set (∇x f = 0).
/// </summary>
/// <remarks>
/// <para>
/// Derivatives in x from the same pass as the y ones: with c_i = σ(λ_i) as per-row weights of the weighted cross
/// entropy, ∂g/∂λ_i = σ′(λ_i) ∂g/∂c_i and ∇²_{λ_i w} g · v = σ′(λ_i) ⟨∇_w ∂g/∂c_i, v⟩, the adjoint of c_i and its
/// tangent along v in one forward-over-reverse pass. A mini-batch B gives the unbiased (1/|B|) Σ_{i∈B} form; entries
/// of ∇x g and of the cross product outside B are 0.
/// </para>
/// <para>
/// <b>c.</b> The paper writes c‖w‖² with c &gt; 0 unreported (its code uses 10⁻⁴·‖w‖, a norm). c is a constructor
/// argument; the experiment's choice is stated in its settings.
/// </para>
/// </remarks>
public sealed class ReviewHyperCleaningProblem<T> : BilevelProblem, ITracedProblem
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly RnnClassifier<T> _classifier;
    private readonly int[] _trainRows;
    private readonly int[] _validationRows;
    private readonly double[] _weights;
    private readonly double[] _adjoint;
    private readonly double[] _adjointTangent;

    /// <param name="table">Frozen word vectors V × D.</param>
    /// <param name="hiddenSize">H of the 2-layer RNN.</param>
    /// <param name="train">Training tweets with their (corrupted) labels.</param>
    /// <param name="corrupted">Which training labels were flipped (for the cleaning AUC).</param>
    /// <param name="validation">Clean validation tweets (upper level).</param>
    /// <param name="test">Clean test tweets (metrics).</param>
    /// <param name="regularization">c in c‖w‖².</param>
    public ReviewHyperCleaningProblem(Tensor<T> table, int hiddenSize, TokenRows train, IReadOnlyList<bool> corrupted, TokenRows validation, TokenRows test,
        double regularization)
        : this(new RnnClassifier<T>(table, hiddenSize, Math.Max(train.Width, Math.Max(validation.Width, test.Width))), train, corrupted, validation, test, regularization)
    {
    }

    private ReviewHyperCleaningProblem(RnnClassifier<T> classifier, TokenRows train, IReadOnlyList<bool> corrupted, TokenRows validation, TokenRows test,
        double regularization)
        : base(train.Count, classifier.Size, validation.Count, train.Count)
    {
        ArgumentNullException.ThrowIfNull(corrupted);
        if (corrupted.Count != train.Count)
        {
            throw new ArgumentException($"{corrupted.Count} corruption flags for {train.Count} training rows", nameof(corrupted));
        }

        if (!(regularization >= 0) || double.IsInfinity(regularization))
        {
            throw new ArgumentOutOfRangeException(nameof(regularization), regularization, "c must be finite and non-negative");
        }

        _classifier = classifier;
        Train = train;
        Corrupted = [.. corrupted];
        Validation = validation;
        Test = test;
        Regularization = regularization;
        _trainRows = [.. Enumerable.Range(0, train.Count)];
        _validationRows = [.. Enumerable.Range(0, validation.Count)];
        _weights = new double[train.Count];
        _adjoint = new double[train.Count];
        _adjointTangent = new double[train.Count];
        var flipped = 0;
        foreach (var flag in Corrupted)
        {
            flipped += flag ? 1 : 0;
        }

        Name = $"review-hyper-cleaning(H={classifier.Encoder.HiddenSize}, D={classifier.Encoder.InputSize}, n={train.Count}/{validation.Count}/{test.Count}, flipped={flipped})";
    }

    public override string Name { get; }

    public RnnClassifier<T> Classifier => _classifier;

    public TokenRows Train { get; }

    /// <summary>True where a training label was flipped.</summary>
    public bool[] Corrupted { get; }

    public TokenRows Validation { get; }

    public TokenRows Test { get; }

    /// <summary>c in c‖w‖².</summary>
    public double Regularization { get; }

    public IReadOnlyList<string> MetricNames { get; } = ["test accuracy", "test loss", "validation accuracy", "cleaning AUC"];

    public void EvaluateMetrics(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> values)
    {
        CheckLength(x, UpperDimension, nameof(x));
        CheckLength(y, LowerDimension, nameof(y));
        CheckLength(values, MetricNames.Count, nameof(values));
        var (accuracy, loss) = _classifier.Score(Test, y);
        values[0] = accuracy;
        values[1] = loss;
        values[2] = _classifier.Score(Validation, y).Accuracy;
        values[3] = CleaningQuality.Auc(x, Corrupted);
    }

    protected override double UpperValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        _classifier.Evaluate(Validation, Rows(batch, _validationRows), y, [], [], [], [], [], []);

    protected override double LowerValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch)
    {
        var rows = Rows(batch, _trainRows);
        var weights = Weights(x, rows);
        return _classifier.Evaluate(Train, rows, y, weights, [], [], [], [], []) + Penalty(y);
    }

    protected override void UpperGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
    {
        gradientX.Clear();
        if (!gradientY.IsEmpty)
        {
            _classifier.Evaluate(Validation, Rows(batch, _validationRows), y, [], gradientY, [], [], [], []);
        }
    }

    protected override void LowerGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
    {
        var rows = Rows(batch, _trainRows);
        var weights = Weights(x, rows);
        var adjoint = gradientX.IsEmpty ? Span<double>.Empty : _adjoint.AsSpan(0, rows.Length);
        _classifier.Evaluate(Train, rows, y, weights, gradientY, [], [], adjoint, []);
        if (!gradientY.IsEmpty)
        {
            for (var i = 0; i < gradientY.Length; i++)
            {
                gradientY[i] += 2 * Regularization * y[i];
            }
        }

        if (!gradientX.IsEmpty)
        {
            gradientX.Clear();
            for (var i = 0; i < rows.Length; i++)
            {
                gradientX[rows[i]] += SigmoidDerivative(x[rows[i]]) * adjoint[i];
            }
        }
    }

    protected override void LowerSecondOrderCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch)
    {
        var rows = Rows(batch, _trainRows);
        var weights = Weights(x, rows);
        var tangent = crossProduct.IsEmpty ? Span<double>.Empty : _adjointTangent.AsSpan(0, rows.Length);
        _classifier.Evaluate(Train, rows, y, weights, [], v, hvp, [], tangent);
        if (!hvp.IsEmpty)
        {
            for (var i = 0; i < hvp.Length; i++)
            {
                hvp[i] += 2 * Regularization * v[i];
            }
        }

        if (!crossProduct.IsEmpty)
        {
            crossProduct.Clear();
            for (var i = 0; i < rows.Length; i++)
            {
                crossProduct[rows[i]] += SigmoidDerivative(x[rows[i]]) * tangent[i];
            }
        }
    }

    /// <summary>σ(λ_i) for the batch's rows, in batch order.</summary>
    private ReadOnlySpan<double> Weights(ReadOnlySpan<double> x, ReadOnlySpan<int> rows)
    {
        var weights = _weights.AsSpan(0, rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            weights[i] = Sigmoid(x[rows[i]]);
        }

        return weights;
    }

    private double Penalty(ReadOnlySpan<double> y)
    {
        var sum = 0.0;
        foreach (var value in y)
        {
            sum += value * value;
        }

        return Regularization * sum;
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private static double SigmoidDerivative(double z)
    {
        var s = Sigmoid(z);
        return s * (1 - s);
    }

    private static ReadOnlySpan<int> Rows(Batch batch, int[] all) => batch.IsFull ? all : batch.Indices;
}
