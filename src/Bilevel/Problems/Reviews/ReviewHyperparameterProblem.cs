using System.Numerics;
using Bilevel.Tensors;

namespace Bilevel.Problems.Reviews;

/// <summary>
/// Paper 004 §4.2, eq. (4): hyperparameter optimization of one L2 weight for the RNN classifier on Amazon reviews.
/// y = w, every parameter of the <see cref="RnnClassifier{T}"/> (encoder and head); x = (ρ) ∈ R¹ with λ = e^ρ;
/// g(x, w) = (1/|B|) Σ_{ζ∈B} CE(w; ζ) + (λ/2)‖w‖² on training reviews,
/// f(x, w) = (1/|B'|) Σ_{ξ∈B'} CE(w; ξ) on validation reviews, which does not depend on λ (∇x f = 0, "no direct F_x
/// term", App. F.2).
/// </summary>
/// <remarks>
/// <para>
/// <b>Parametrisation of λ.</b> The paper optimises λ itself and starts at λ = 0.0 (F.2). Here λ = e^ρ, for two
/// reasons: λ ≥ 0 is needed for g to be bounded below (with λ &lt; 0, (λ/2)‖w‖² → −∞), and an additive step on ρ is a
/// relative step on λ, so one step size serves λ from 10⁻⁴ to 1. λ = 0 is not representable; the start ρ₀ is a setting
/// of the experiment (e.g. ρ₀ = −7, λ₀ ≈ 9·10⁻⁴, a penalty far below the data term at the start, as λ = 0 is).
/// The x-derivatives follow in closed form: ∇_ρ g = (λ/2)‖w‖², ∇²_ρw g · v = λ⟨w, v⟩, and the penalty adds λ v to
/// the data term's HVP.
/// </para>
/// <para>
/// <b>Cost.</b> ∇y g, ∇y f: one forward and backward pass over the batch; HVP: one forward-over-reverse pass; the cross
/// product alone needs no pass. Batches are indices of training (lower) and validation (upper) reviews.
/// </para>
/// </remarks>
public sealed class ReviewHyperparameterProblem<T> : BilevelProblem, ITracedProblem
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly RnnClassifier<T> _classifier;
    private readonly int[] _trainRows;
    private readonly int[] _validationRows;

    /// <param name="table">Frozen word vectors V × D.</param>
    /// <param name="hiddenSize">H of the 2-layer RNN (paper 004: 4096).</param>
    /// <param name="train">Lower-level training reviews (paper: 20,000).</param>
    /// <param name="validation">Upper-level validation reviews.</param>
    /// <param name="test">Test reviews for the metrics (paper: 2,000).</param>
    public ReviewHyperparameterProblem(Tensor<T> table, int hiddenSize, TokenRows train, TokenRows validation, TokenRows test)
        : this(new RnnClassifier<T>(table, hiddenSize, MaxWidth(train, validation, test)), train, validation, test)
    {
    }

    private ReviewHyperparameterProblem(RnnClassifier<T> classifier, TokenRows train, TokenRows validation, TokenRows test)
        : base(1, classifier.Size, validation.Count, train.Count)
    {
        _classifier = classifier;
        Train = train;
        Validation = validation;
        Test = test;
        _trainRows = [.. Enumerable.Range(0, train.Count)];
        _validationRows = [.. Enumerable.Range(0, validation.Count)];
        Name = $"review-hyperparameter(H={classifier.Encoder.HiddenSize}, D={classifier.Encoder.InputSize}, n={train.Count}/{validation.Count}/{test.Count})";
    }

    public override string Name { get; }

    public RnnClassifier<T> Classifier => _classifier;

    public TokenRows Train { get; }

    public TokenRows Validation { get; }

    public TokenRows Test { get; }

    public IReadOnlyList<string> MetricNames { get; } = ["test accuracy", "test loss", "train accuracy", "lambda"];

    /// <summary>λ = e^ρ.</summary>
    public double Lambda(ReadOnlySpan<double> x) => Math.Exp(x[0]);

    public void EvaluateMetrics(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> values)
    {
        CheckLength(x, UpperDimension, nameof(x));
        CheckLength(y, LowerDimension, nameof(y));
        CheckLength(values, MetricNames.Count, nameof(values));
        var (accuracy, loss) = _classifier.Score(Test, y);
        values[0] = accuracy;
        values[1] = loss;
        values[2] = _classifier.Score(Train, y).Accuracy;
        values[3] = Lambda(x);
    }

    protected override double UpperValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        _classifier.Evaluate(Validation, Rows(batch, _validationRows), y, [], [], [], [], [], []);

    protected override double LowerValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        _classifier.Evaluate(Train, Rows(batch, _trainRows), y, [], [], [], [], [], []) + (0.5 * Lambda(x) * SquaredNorm(y));

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
        var lambda = Lambda(x);
        if (!gradientX.IsEmpty)
        {
            gradientX[0] = 0.5 * lambda * SquaredNorm(y);
        }

        if (!gradientY.IsEmpty)
        {
            _classifier.Evaluate(Train, Rows(batch, _trainRows), y, [], gradientY, [], [], [], []);
            for (var i = 0; i < gradientY.Length; i++)
            {
                gradientY[i] += lambda * y[i];
            }
        }
    }

    protected override void LowerSecondOrderCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch)
    {
        var lambda = Lambda(x);
        if (!crossProduct.IsEmpty)
        {
            var dot = 0.0;
            for (var i = 0; i < y.Length; i++)
            {
                dot += y[i] * v[i];
            }

            crossProduct[0] = lambda * dot;
        }

        if (!hvp.IsEmpty)
        {
            _classifier.Evaluate(Train, Rows(batch, _trainRows), y, [], [], v, hvp, [], []);
            for (var i = 0; i < hvp.Length; i++)
            {
                hvp[i] += lambda * v[i];
            }
        }
    }

    private static double SquaredNorm(ReadOnlySpan<double> y)
    {
        var sum = 0.0;
        foreach (var value in y)
        {
            sum += value * value;
        }

        return sum;
    }

    private static ReadOnlySpan<int> Rows(Batch batch, int[] all) => batch.IsFull ? all : batch.Indices;

    private static int MaxWidth(TokenRows train, TokenRows validation, TokenRows test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        return Math.Max(train.Width, Math.Max(validation.Width, test.Width));
    }
}
