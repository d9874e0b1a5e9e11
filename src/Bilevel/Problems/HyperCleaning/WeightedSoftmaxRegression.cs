using System.Numerics;
using System.Numerics.Tensors;
using Bilevel.Tensors;

namespace Bilevel.Problems.HyperCleaning;

/// <summary>
/// Closed-form oracles of weighted softmax regression, the model of linear hyper-cleaning (papers 002 App. A.2 and
/// 003 Task 1): for rows xᵢ ∈ R^d, labels yᵢ, weights sᵢ, logits zᵢ = W xᵢ (W is C × d, row-major),
/// L(W) = (1/b) Σᵢ sᵢ CE(zᵢ, yᵢ) over a batch of b rows. With pᵢ = softmax(zᵢ) and Z = X Wᵀ:
/// ∇W L = (1/b) [diag(s)(P − Y)]ᵀ X; the Hessian-vector product with a direction V is
/// (1/b) [diag(s) Ṗ]ᵀ X with Ż = X Vᵀ and Ṗ = P ⊙ (Ż − rowsum(P ⊙ Ż)); and ∂/∂sᵢ ⟨∇W L, V⟩ = (1/b) (pᵢ − e_{yᵢ})·żᵢ.
/// In float32 on x64 with AVX2 and FMA, <see cref="Evaluate"/> runs the fused kernels of
/// <see cref="FusedSoftmaxEvaluator"/> (rows read through the index list, softmax in float, partitions over
/// <see cref="Blas.Threads"/> threads, bit-identical for any thread count); otherwise (float64, or no AVX2) the products
/// run as GEMMs through <see cref="Blas"/> on a gathered copy of the rows, with the softmax in float64. Buffers are
/// reused, so a steady-state call does not allocate.
/// </summary>
public sealed class WeightedSoftmaxRegression<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _features;
    private readonly int[] _labels;
    private T[] _gathered = [];
    private T[] _logits = [];
    private T[] _residual = [];
    private readonly T[] _weights;
    private readonly T[] _gradient;
    private readonly FusedSoftmaxEvaluator? _fused;

    /// <summary>Rows <paramref name="features"/> (count × featureCount, row-major) with labels in [0, classes).</summary>
    public WeightedSoftmaxRegression(T[] features, int[] labels, int featureCount, int classes)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (features.Length != labels.Length * featureCount)
        {
            throw new ArgumentException($"features hold {features.Length} values, expected {labels.Length} rows × {featureCount}", nameof(features));
        }

        foreach (var label in labels)
        {
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentException($"label {label} is outside the {classes} classes", nameof(labels));
            }
        }

        _features = features;
        _labels = labels;
        FeatureCount = featureCount;
        Classes = classes;
        _weights = new T[classes * featureCount * 2];
        _gradient = new T[classes * featureCount];
        if (typeof(T) == typeof(float) && SoftmaxKernels.IsSupported)
        {
            _fused = new FusedSoftmaxEvaluator((float[])(object)features, labels, featureCount, classes);
            UseFusedKernels = true;
        }
    }

    /// <summary>
    /// Whether <see cref="Evaluate"/> runs the fused float32 kernels (true by default where they are available: float32
    /// on AVX2 + FMA); false selects the GEMM path (for comparisons). Setting true where they are unavailable is ignored.
    /// </summary>
    public bool UseFusedKernels
    {
        get;
        set => field = value && _fused is not null;
    }

    /// <summary>d.</summary>
    public int FeatureCount { get; }

    /// <summary>C.</summary>
    public int Classes { get; }

    /// <summary>Rows.</summary>
    public int Count => _labels.Length;

    /// <summary>The labels.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>
    /// One pass over the batch rows (all rows when <paramref name="rows"/> is empty): returns L(W); writes, where the
    /// spans are not empty, ∇W L (<paramref name="gradient"/>), the per-row derivatives ∂L/∂sᵢ = CEᵢ/b
    /// (<paramref name="weightGradient"/>, one entry per batch row), the HVP ∇²W L·V (<paramref name="hvp"/>) and
    /// ∂⟨∇W L, V⟩/∂sᵢ (<paramref name="weightCross"/>, per batch row). <paramref name="sampleWeights"/> gives sᵢ per batch
    /// row (empty: all 1). Outputs are overwritten.
    /// </summary>
    public double Evaluate(ReadOnlySpan<int> rows, ReadOnlySpan<double> sampleWeights, ReadOnlySpan<double> w, ReadOnlySpan<double> v,
        Span<double> gradient, Span<double> weightGradient, Span<double> hvp, Span<double> weightCross)
    {
        if (UseFusedKernels)
        {
            return _fused!.Evaluate(rows, sampleWeights, w, v, gradient, weightGradient, hvp, weightCross);
        }

        int d = FeatureCount, c = Classes;
        var b = rows.IsEmpty ? Count : rows.Length;
        var second = !hvp.IsEmpty || !weightCross.IsEmpty;
        var outputs = second ? 2 * c : c;
        var x = Rows(rows);

        // [W; V] in T, then Z = X [W; V]ᵀ: the logits and, for second order, their tangents in one GEMM.
        var stacked = _weights.AsSpan(0, outputs * d);
        Convert(w, stacked[..(c * d)]);
        if (second)
        {
            Convert(v, stacked.Slice(c * d, c * d));
        }

        Ensure(ref _logits, b * outputs);
        Ensure(ref _residual, b * outputs);
        var z = _logits.AsSpan(0, b * outputs);
        Blas.Gemm(false, true, b, outputs, d, T.One, x, d, stacked, d, T.Zero, z, outputs);

        var inverseB = 1.0 / b;
        var loss = 0.0;
        var r = _residual.AsSpan(0, b * outputs);
        for (var i = 0; i < b; i++)
        {
            var row = z.Slice(i * outputs, c);
            var label = _labels[rows.IsEmpty ? i : rows[i]];
            var s = sampleWeights.IsEmpty ? 1.0 : sampleWeights[i];
            var max = TensorPrimitives.Max<T>(row);
            var sum = 0.0;
            for (var k = 0; k < c; k++)
            {
                sum += Math.Exp(double.CreateTruncating(row[k] - max));
            }

            var logSum = double.CreateTruncating(max) + Math.Log(sum);
            var ce = logSum - double.CreateTruncating(row[label]);
            loss += s * ce;
            if (!weightGradient.IsEmpty)
            {
                weightGradient[i] = ce * inverseB;
            }

            // Residual rows: s (p − e_y) and, for second order, s ṗ; cross entries (p − e_y)·ż.
            var residual = r.Slice(i * outputs, c);
            var cross = 0.0;
            var dotPz = 0.0;
            for (var k = 0; k < c; k++)
            {
                var p = Math.Exp(double.CreateTruncating(row[k]) - logSum);
                residual[k] = T.CreateTruncating(p);
                if (second)
                {
                    dotPz += p * double.CreateTruncating(z[(i * outputs) + c + k]);
                }
            }

            for (var k = 0; k < c; k++)
            {
                var p = double.CreateTruncating(residual[k]);
                var pMinusY = k == label ? p - 1 : p;
                if (second)
                {
                    var zDot = double.CreateTruncating(z[(i * outputs) + c + k]);
                    cross += pMinusY * zDot;
                    r[(i * outputs) + c + k] = T.CreateTruncating(s * p * (zDot - dotPz));
                }

                residual[k] = T.CreateTruncating(s * pMinusY);
            }

            if (!weightCross.IsEmpty)
            {
                weightCross[i] = cross * inverseB;
            }
        }

        var scale = T.CreateTruncating(inverseB);
        var g = _gradient.AsSpan();
        if (!gradient.IsEmpty)
        {
            Blas.Gemm(true, false, c, d, b, scale, r, outputs, x, d, T.Zero, g, d);
            Widen(g, gradient);
        }

        if (!hvp.IsEmpty)
        {
            Blas.Gemm(true, false, c, d, b, scale, r[c..], outputs, x, d, T.Zero, g, d);
            Widen(g, hvp);
        }

        return loss * inverseB;
    }

    /// <summary>Class predictions argmax W xᵢ for every row; returns the accuracy and the mean (unweighted) cross-entropy.</summary>
    public (double Accuracy, double Loss) Score(ReadOnlySpan<double> w)
    {
        int d = FeatureCount, c = Classes, n = Count;
        var stacked = _weights.AsSpan(0, c * d);
        Convert(w, stacked);
        Ensure(ref _logits, n * c);
        var z = _logits.AsSpan(0, n * c);
        Blas.Gemm(false, true, n, c, d, T.One, _features, d, stacked, d, T.Zero, z, c);
        var correct = 0;
        var loss = 0.0;
        for (var i = 0; i < n; i++)
        {
            var row = z.Slice(i * c, c);
            var best = TensorPrimitives.IndexOfMax<T>(row);
            correct += best == _labels[i] ? 1 : 0;
            var max = double.CreateTruncating(row[best]);
            var sum = 0.0;
            for (var k = 0; k < c; k++)
            {
                sum += Math.Exp(double.CreateTruncating(row[k]) - max);
            }

            loss += max + Math.Log(sum) - double.CreateTruncating(row[_labels[i]]);
        }

        return (correct / (double)n, loss / n);
    }

    private ReadOnlySpan<T> Rows(ReadOnlySpan<int> rows)
    {
        if (rows.IsEmpty)
        {
            return _features;
        }

        var d = FeatureCount;
        Ensure(ref _gathered, rows.Length * d);
        for (var i = 0; i < rows.Length; i++)
        {
            _features.AsSpan(rows[i] * d, d).CopyTo(_gathered.AsSpan(i * d, d));
        }

        return _gathered.AsSpan(0, rows.Length * d);
    }

    private static void Convert(ReadOnlySpan<double> source, Span<T> target)
    {
        if (typeof(T) == typeof(double))
        {
            source.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(target));
        }
        else
        {
            TensorPrimitives.ConvertTruncating(source, target);
        }
    }

    private static void Widen(ReadOnlySpan<T> source, Span<double> target)
    {
        if (typeof(T) == typeof(double))
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(source).CopyTo(target);
        }
        else
        {
            TensorPrimitives.ConvertTruncating(source, target);
        }
    }

    private static void Ensure(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[length];
        }
    }
}
