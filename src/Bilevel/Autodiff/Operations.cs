using System.Numerics;
using Bilevel.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bilevel.Autodiff;

/// <summary>
/// Differentiable operations on a <see cref="Graph{T}"/>. Each defines four rules: value, tangent (JVP), adjoint
/// (VJP) and the tangent of its adjoint; the rules are written next to each operation and checked against central
/// finite differences in float64 by <c>bilevel gradcheck</c> and the tests.
/// </summary>
public static partial class Operations
{
    /// <summary>
    /// Y = A · op(B): A is m×k, B is k×n (or n×k with <paramref name="transposeB"/>, so Y = A Bᵀ as in a linear layer).
    /// Ẏ = Ȧ op(B) + A op(Ḃ); Ā += Ȳ op(B)ᵀ, Ā̇ += Ȳ̇ op(B)ᵀ + Ȳ op(Ḃ)ᵀ; B̄ += Aᵀ Ȳ (or Ȳᵀ A), B̄̇ likewise with both tangents.
    /// </summary>
    public static Variable<T> MatMul<T>(this Graph<T> graph, Variable<T> a, Variable<T> b, bool transposeB = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Value.Rank != 2 || b.Value.Rank != 2)
        {
            throw new ArgumentException($"MatMul needs matrices, got [{string.Join(", ", a.Shape)}] and [{string.Join(", ", b.Shape)}]");
        }

        var m = a.Shape[0];
        var k = a.Shape[1];
        var n = transposeB ? b.Shape[0] : b.Shape[1];
        if ((transposeB ? b.Shape[1] : b.Shape[0]) != k)
        {
            throw new ArgumentException($"MatMul: inner dimensions differ: [{string.Join(", ", a.Shape)}] · {(transposeB ? "transpose of " : "")}[{string.Join(", ", b.Shape)}]");
        }

        var ldb = transposeB ? k : n;
        var y = graph.AllocateUninitialized(m, n);
        Blas.Gemm(false, transposeB, m, n, k, T.One, a.Value.Span, k, b.Value.Span, ldb, T.Zero, y.Span, n);
        Tensor<T>? tangent = null;
        if (graph.HasTangents && (a.Tangent is not null || b.Tangent is not null))
        {
            tangent = graph.Allocate(m, n);
            if (a.Tangent is not null)
            {
                Blas.Gemm(false, transposeB, m, n, k, T.One, a.Tangent.Span, k, b.Value.Span, ldb, T.One, tangent.Span, n);
            }

            if (b.Tangent is not null)
            {
                Blas.Gemm(false, transposeB, m, n, k, T.One, a.Value.Span, k, b.Tangent.Span, ldb, T.One, tangent.Span, n);
            }
        }

        var result = graph.Result(y, tangent, a.RequiresGradient || b.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                var gy = result.Gradient.Span;
                var gyt = result.GradientTangent;
                if (a.RequiresGradient)
                {
                    graph.EnsureGradient(a);
                    Blas.Gemm(false, !transposeB, m, k, n, T.One, gy, n, b.Value.Span, ldb, T.One, a.Gradient!.Span, k);
                    if (a.GradientTangent is not null)
                    {
                        if (gyt is not null)
                        {
                            Blas.Gemm(false, !transposeB, m, k, n, T.One, gyt.Span, n, b.Value.Span, ldb, T.One, a.GradientTangent.Span, k);
                        }

                        if (b.Tangent is not null)
                        {
                            Blas.Gemm(false, !transposeB, m, k, n, T.One, gy, n, b.Tangent.Span, ldb, T.One, a.GradientTangent.Span, k);
                        }
                    }
                }

                if (b.RequiresGradient)
                {
                    graph.EnsureGradient(b);
                    if (transposeB)
                    {
                        // B̄ (n×k) += Ȳᵀ A.
                        Blas.Gemm(true, false, n, k, m, T.One, gy, n, a.Value.Span, k, T.One, b.Gradient!.Span, k);
                        if (b.GradientTangent is not null)
                        {
                            if (gyt is not null)
                            {
                                Blas.Gemm(true, false, n, k, m, T.One, gyt.Span, n, a.Value.Span, k, T.One, b.GradientTangent.Span, k);
                            }

                            if (a.Tangent is not null)
                            {
                                Blas.Gemm(true, false, n, k, m, T.One, gy, n, a.Tangent.Span, k, T.One, b.GradientTangent.Span, k);
                            }
                        }
                    }
                    else
                    {
                        // B̄ (k×n) += Aᵀ Ȳ.
                        Blas.Gemm(true, false, k, n, m, T.One, a.Value.Span, k, gy, n, T.One, b.Gradient!.Span, n);
                        if (b.GradientTangent is not null)
                        {
                            if (gyt is not null)
                            {
                                Blas.Gemm(true, false, k, n, m, T.One, a.Value.Span, k, gyt.Span, n, T.One, b.GradientTangent.Span, n);
                            }

                            if (a.Tangent is not null)
                            {
                                Blas.Gemm(true, false, k, n, m, T.One, a.Tangent.Span, k, gy, n, T.One, b.GradientTangent.Span, n);
                            }
                        }
                    }
                }
            });
        }

        return result;
    }

    /// <summary>
    /// Y = X + b broadcast along <paramref name="axis"/> (X viewed as outer × C × inner, b of length C): a linear
    /// layer's bias (axis = last) or a convolution's (axis 1 of NCHW). All rules are linear: b̄ sums Ȳ over outer and inner.
    /// </summary>
    public static Variable<T> AddBias<T>(this Graph<T> graph, Variable<T> x, Variable<T> bias, int axis = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(bias);
        if (axis < 0)
        {
            axis += x.Value.Rank;
        }

        if (axis < 0 || axis >= x.Value.Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), $"AddBias: axis is outside the {x.Value.Rank} dimensions of [{string.Join(", ", x.Shape)}]");
        }

        var channels = x.Shape[axis];
        if (bias.Value.Size != channels)
        {
            throw new ArgumentException($"AddBias: bias has {bias.Value.Size} entries, axis {axis} of [{string.Join(", ", x.Shape)}] has {channels}");
        }

        var inner = 1;
        for (var d = axis + 1; d < x.Value.Rank; d++)
        {
            inner *= x.Shape[d];
        }

        var outer = x.Value.Size / (channels * inner);
        var y = graph.AllocateUninitialized(x.Shape);
        Broadcast(x.Value.Span, bias.Value.Span, y.Span, outer, channels, inner);
        Tensor<T>? tangent = null;
        if (graph.HasTangents && (x.Tangent is not null || bias.Tangent is not null))
        {
            // One pass: Ẏ = Ẋ + ḃ broadcast, Ẋ, or ḃ broadcast.
            tangent = graph.AllocateUninitialized(x.Shape);
            if (x.Tangent is not null && bias.Tangent is not null)
            {
                Broadcast(x.Tangent.Span, bias.Tangent.Span, tangent.Span, outer, channels, inner);
            }
            else if (x.Tangent is not null)
            {
                x.Tangent.Span.CopyTo(tangent.Span);
            }
            else
            {
                tangent.Span.Clear();
                Broadcast(tangent.Span, bias.Tangent!.Span, tangent.Span, outer, channels, inner);
            }
        }

        var result = graph.Result(y, tangent, x.RequiresGradient || bias.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                if (x.RequiresGradient)
                {
                    AccumulateIdentity(graph, result, x);
                }

                if (bias.RequiresGradient)
                {
                    graph.EnsureGradient(bias);
                    SumInto(result.Gradient.Span, bias.Gradient!.Span, outer, channels, inner);
                    if (bias.GradientTangent is not null && result.GradientTangent is not null)
                    {
                        SumInto(result.GradientTangent.Span, bias.GradientTangent.Span, outer, channels, inner);
                    }
                }
            });
        }

        return result;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Broadcast<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> bias, Span<T> y, int outer, int channels, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var o = 0; o < outer; o++)
        {
            for (var c = 0; c < channels; c++)
            {
                var start = ((o * channels) + c) * inner;
                TensorPrimitives.Add(x.Slice(start, inner), bias[c], y.Slice(start, inner));
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void SumInto<T>(ReadOnlySpan<T> y, Span<T> bias, int outer, int channels, int inner)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var o = 0; o < outer; o++)
        {
            for (var c = 0; c < channels; c++)
            {
                bias[c] += TensorPrimitives.Sum(y.Slice(((o * channels) + c) * inner, inner));
            }
        }
    }

    /// <summary>Y = A + B (same shapes). Linear: Ā += Ȳ, B̄ += Ȳ, and the same for the tangents.</summary>
    public static Variable<T> Add<T>(this Graph<T> graph, Variable<T> a, Variable<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        SameShape(a, b, "Add");
        var y = graph.AllocateUninitialized(a.Shape);
        TensorPrimitives.Add(a.Value.Span, b.Value.Span, y.Span);
        Tensor<T>? tangent = null;
        if (graph.HasTangents && (a.Tangent is not null || b.Tangent is not null))
        {
            tangent = graph.AllocateUninitialized(a.Shape);
            if (a.Tangent is not null && b.Tangent is not null)
            {
                TensorPrimitives.Add(a.Tangent.Span, b.Tangent.Span, tangent.Span);
            }
            else
            {
                (a.Tangent ?? b.Tangent)!.Span.CopyTo(tangent.Span);
            }
        }

        var result = graph.Result(y, tangent, a.RequiresGradient || b.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                if (a.RequiresGradient)
                {
                    AccumulateIdentity(graph, result, a);
                }

                if (b.RequiresGradient)
                {
                    // Ȳ can be handed to one input only.
                    AccumulateIdentity(graph, result, b, alias: !a.RequiresGradient);
                }
            });
        }

        return result;
    }

    /// <summary>
    /// Y = A ⊙ B (same shapes). Ẏ = Ȧ⊙B + A⊙Ḃ; Ā += Ȳ⊙B, Ā̇ += Ȳ̇⊙B + Ȳ⊙Ḃ (and symmetrically for B).
    /// </summary>
    public static Variable<T> Multiply<T>(this Graph<T> graph, Variable<T> a, Variable<T> b)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        SameShape(a, b, "Multiply");
        var y = graph.AllocateUninitialized(a.Shape);
        TensorPrimitives.Multiply(a.Value.Span, b.Value.Span, y.Span);
        Tensor<T>? tangent = null;
        if (graph.HasTangents && (a.Tangent is not null || b.Tangent is not null))
        {
            tangent = graph.Allocate(a.Shape);
            if (a.Tangent is not null)
            {
                TensorPrimitives.MultiplyAdd(a.Tangent.Span, b.Value.Span, tangent.Span, tangent.Span);
            }

            if (b.Tangent is not null)
            {
                TensorPrimitives.MultiplyAdd(a.Value.Span, b.Tangent.Span, tangent.Span, tangent.Span);
            }
        }

        var result = graph.Result(y, tangent, a.RequiresGradient || b.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                Accumulate(graph, result, a, b);
                Accumulate(graph, result, b, a);
            });
        }

        return result;

        static void Accumulate(Graph<T> graph, Variable<T> result, Variable<T> input, Variable<T> other)
        {
            if (!input.RequiresGradient)
            {
                return;
            }

            graph.EnsureGradient(input);
            TensorPrimitives.MultiplyAdd(result.Gradient!.Span, other.Value.Span, input.Gradient!.Span, input.Gradient.Span);
            if (input.GradientTangent is not null)
            {
                if (result.GradientTangent is not null)
                {
                    TensorPrimitives.MultiplyAdd(result.GradientTangent.Span, other.Value.Span, input.GradientTangent.Span, input.GradientTangent.Span);
                }

                if (other.Tangent is not null)
                {
                    TensorPrimitives.MultiplyAdd(result.Gradient.Span, other.Tangent.Span, input.GradientTangent.Span, input.GradientTangent.Span);
                }
            }
        }
    }

    /// <summary>Y = max(X, 0). f′ = 1[x &gt; 0], f″ = 0.</summary>
    public static Variable<T> Relu<T>(this Graph<T> graph, Variable<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Unary(graph, x, Activation.Relu);

    /// <summary>Y = tanh X. f′ = 1 − y², f″ = −2y(1 − y²).</summary>
    public static Variable<T> Tanh<T>(this Graph<T> graph, Variable<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Unary(graph, x, Activation.Tanh);

    /// <summary>Y = σ(X) = 1/(1 + e^{−X}). f′ = y(1 − y), f″ = y(1 − y)(1 − 2y).</summary>
    public static Variable<T> Sigmoid<T>(this Graph<T> graph, Variable<T> x)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Unary(graph, x, Activation.Sigmoid);

    private enum Activation
    {
        Relu,
        Tanh,
        Sigmoid,
    }

    /// <summary>
    /// Element-wise y = f(x): ẏ = f′(x) ẋ; x̄ += f′(x) ȳ; x̄̇ += f″(x) ẋ ȳ + f′(x) ȳ̇.
    /// </summary>
    private static Variable<T> Unary<T>(Graph<T> graph, Variable<T> x, Activation activation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(x);
        var y = graph.AllocateUninitialized(x.Shape);
        var xs = x.Value.Span;
        var ys = y.Span;
        switch (activation)
        {
            case Activation.Relu:
                TensorPrimitives.Max(xs, T.Zero, ys);
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(xs, ys);
                break;
            default:
                TensorPrimitives.Sigmoid(xs, ys);
                break;
        }

        // f′ is needed by the tangent and the adjoint; keep it.
        var derivative = graph.AllocateUninitialized(x.Shape);
        var ds = derivative.Span;
        var two = T.One + T.One;
        switch (activation)
        {
            case Activation.Relu:
                Step(xs, ds);
                break;
            case Activation.Tanh:
                TensorPrimitives.Multiply(ys, ys, ds);
                TensorPrimitives.Subtract(T.One, ds, ds);
                break;
            default:
                TensorPrimitives.Subtract(T.One, ys, ds);
                TensorPrimitives.Multiply(ds, ys, ds);
                break;
        }

        Tensor<T>? tangent = null;
        if (graph.HasTangents && x.Tangent is not null)
        {
            tangent = graph.AllocateUninitialized(x.Shape);
            TensorPrimitives.Multiply(ds, x.Tangent.Span, tangent.Span);
        }

        var result = graph.Result(y, tangent, x.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                graph.EnsureGradient(x);
                var gy = result.Gradient.Span;
                TensorPrimitives.MultiplyAdd(derivative.Span, gy, x.Gradient!.Span, x.Gradient.Span);
                if (x.GradientTangent is null)
                {
                    return;
                }

                var gt = x.GradientTangent.Span;
                if (result.GradientTangent is not null)
                {
                    TensorPrimitives.MultiplyAdd(derivative.Span, result.GradientTangent.Span, gt, gt);
                }

                if (x.Tangent is not null && activation != Activation.Relu)
                {
                    var xt = x.Tangent.Span;
                    var yv = result.Value.Span;
                    var d = derivative.Span;
                    for (var i = 0; i < gt.Length; i++)
                    {
                        var second = activation == Activation.Tanh ? -two * yv[i] * d[i] : d[i] * (T.One - (two * yv[i]));
                        gt[i] += second * xt[i] * gy[i];
                    }
                }
            });
        }

        return result;
    }

    /// <summary>d = 1 where x &gt; 0, else 0 (SIMD).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Step<T>(ReadOnlySpan<T> x, Span<T> d)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var one = Vector<T>.One;
            var zero = Vector<T>.Zero;
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var v = new Vector<T>(x[i..]);
                Vector.ConditionalSelect(Vector.GreaterThan(v, zero), one, zero).CopyTo(d[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            d[i] = x[i] > T.Zero ? T.One : T.Zero;
        }
    }

    /// <summary>L = Σᵢ cᵢ xᵢ for a constant c (a linear read-out for checks). Linear rules.</summary>
    public static Variable<T> WeightedSum<T>(this Graph<T> graph, Variable<T> x, Tensor<T> weights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Size != x.Value.Size)
        {
            throw new ArgumentException($"WeightedSum: {weights.Size} weights for {x.Value.Size} values");
        }

        var y = graph.Allocate(1);
        y[0] = TensorPrimitives.Dot<T>(x.Value.Span, weights.Span);
        Tensor<T>? tangent = null;
        if (graph.HasTangents && x.Tangent is not null)
        {
            tangent = graph.Allocate(1);
            tangent[0] = TensorPrimitives.Dot<T>(x.Tangent.Span, weights.Span);
        }

        var result = graph.Result(y, tangent, x.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                graph.EnsureGradient(x);
                TensorPrimitives.MultiplyAdd(weights.Span, result.Gradient[0], x.Gradient!.Span, x.Gradient.Span);
                if (x.GradientTangent is not null && result.GradientTangent is not null)
                {
                    TensorPrimitives.MultiplyAdd(weights.Span, result.GradientTangent[0], x.GradientTangent.Span, x.GradientTangent.Span);
                }
            });
        }

        return result;
    }

    /// <summary>
    /// L = s Σ xᵢ² (an L2 penalty with s = C or λ/2). L̇ = 2s Σ xᵢẋᵢ; x̄ += 2s L̄ x; x̄̇ += 2s (L̄̇ x + L̄ ẋ).
    /// </summary>
    public static Variable<T> SumOfSquares<T>(this Graph<T> graph, Variable<T> x, T scale)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(x);
        var two = T.One + T.One;
        var y = graph.Allocate(1);
        y[0] = scale * TensorPrimitives.SumOfSquares<T>(x.Value.Span);
        Tensor<T>? tangent = null;
        if (graph.HasTangents && x.Tangent is not null)
        {
            tangent = graph.Allocate(1);
            tangent[0] = two * scale * TensorPrimitives.Dot<T>(x.Value.Span, x.Tangent.Span);
        }

        var result = graph.Result(y, tangent, x.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                graph.EnsureGradient(x);
                TensorPrimitives.MultiplyAdd(x.Value.Span, two * scale * result.Gradient[0], x.Gradient!.Span, x.Gradient.Span);
                if (x.GradientTangent is not null)
                {
                    if (result.GradientTangent is not null)
                    {
                        TensorPrimitives.MultiplyAdd(x.Value.Span, two * scale * result.GradientTangent[0], x.GradientTangent.Span, x.GradientTangent.Span);
                    }

                    if (x.Tangent is not null)
                    {
                        TensorPrimitives.MultiplyAdd(x.Tangent.Span, two * scale * result.Gradient[0], x.GradientTangent.Span, x.GradientTangent.Span);
                    }
                }
            });
        }

        return result;
    }

    /// <summary>
    /// Softmax cross-entropy with per-sample weights, L = (1/N) Σᵢ wᵢ CEᵢ, CEᵢ = logsumexp(zᵢ) − zᵢ[yᵢ], so hyper-cleaning's
    /// σ(λᵢ) can be the weights and ∂/∂λ flows. With pᵢ = softmax(zᵢ) and eᵢ the one-hot label:
    /// L̇ = (1/N) Σ (ẇᵢ CEᵢ + wᵢ (pᵢ − eᵢ)·żᵢ);
    /// z̄ᵢ += L̄ wᵢ (pᵢ − eᵢ)/N; z̄̇ᵢ += [L̄̇ wᵢ (pᵢ − eᵢ) + L̄ ẇᵢ (pᵢ − eᵢ) + L̄ wᵢ ṗᵢ]/N with ṗᵢ = pᵢ ⊙ (żᵢ − pᵢ·żᵢ);
    /// w̄ᵢ += L̄ CEᵢ/N; w̄̇ᵢ += (L̄̇ CEᵢ + L̄ (pᵢ − eᵢ)·żᵢ)/N.
    /// </summary>
    /// <param name="graph">The pass.</param>
    /// <param name="logits">z, N × K.</param>
    /// <param name="labels">yᵢ ∈ [0, K).</param>
    /// <param name="weights">wᵢ (length N), or null for weight 1.</param>
    public static Variable<T> SoftmaxCrossEntropy<T>(this Graph<T> graph, Variable<T> logits, ReadOnlyMemory<int> labels, Variable<T>? weights = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Value.Rank != 2)
        {
            throw new ArgumentException($"SoftmaxCrossEntropy needs N × K logits, got [{string.Join(", ", logits.Shape)}]");
        }

        var n = logits.Shape[0];
        var classes = logits.Shape[1];
        if (labels.Length != n)
        {
            throw new ArgumentException($"SoftmaxCrossEntropy: {labels.Length} labels for {n} rows");
        }

        if (weights is not null && weights.Value.Size != n)
        {
            throw new ArgumentException($"SoftmaxCrossEntropy: {weights.Value.Size} weights for {n} rows");
        }

        // The backward step reads the labels later: keep a copy so a caller reusing its array cannot change them.
        var labelCopy = graph.AllocateIndices(n);
        labels.Span.CopyTo(labelCopy);
        var probabilities = graph.AllocateUninitialized(n, classes);
        var losses = graph.AllocateUninitialized(n);
        var z = logits.Value.Span;
        var p = probabilities.Span;
        var labelSpan = labelCopy.AsSpan();
        for (var i = 0; i < n; i++)
        {
            var label = labelSpan[i];
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentException($"SoftmaxCrossEntropy: label {label} of row {i} is outside [0, {classes})");
            }

            var row = z.Slice(i * classes, classes);
            var pi = p.Slice(i * classes, classes);
            var max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, pi);
            TensorPrimitives.Exp(pi, pi);
            var sum = TensorPrimitives.Sum<T>(pi);
            TensorPrimitives.Divide(pi, sum, pi);
            losses[i] = max + T.Log(sum) - row[label];
        }

        var inverseN = T.One / T.CreateChecked(n);
        var value = graph.Allocate(1);
        value[0] = inverseN * (weights is null ? TensorPrimitives.Sum<T>(losses.Span) : TensorPrimitives.Dot<T>(losses.Span, weights.Value.Span));

        // (pᵢ − eᵢ)·żᵢ per row, needed by the tangent and the second-order adjoints.
        Tensor<T>? lossTangents = null;
        if (graph.HasTangents && logits.Tangent is not null)
        {
            lossTangents = graph.Allocate(n);
            var zt = logits.Tangent.Span;
            for (var i = 0; i < n; i++)
            {
                lossTangents[i] = TensorPrimitives.Dot<T>(p.Slice(i * classes, classes), zt.Slice(i * classes, classes)) - zt[(i * classes) + labelSpan[i]];
            }
        }

        Tensor<T>? tangent = null;
        if (graph.HasTangents && (lossTangents is not null || weights?.Tangent is not null))
        {
            tangent = graph.Allocate(1);
            var sum = T.Zero;
            for (var i = 0; i < n; i++)
            {
                var w = weights is null ? T.One : weights.Value[i];
                if (lossTangents is not null)
                {
                    sum += w * lossTangents[i];
                }

                if (weights?.Tangent is not null)
                {
                    sum += weights.Tangent[i] * losses[i];
                }
            }

            tangent[0] = inverseN * sum;
        }

        var result = graph.Result(value, tangent, logits.RequiresGradient || (weights?.RequiresGradient ?? false));
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                var g = result.Gradient[0] * inverseN;
                var gt = result.GradientTangent is null ? T.Zero : result.GradientTangent[0] * inverseN;
                var labelsNow = labelCopy.AsSpan();
                if (logits.RequiresGradient)
                {
                    graph.EnsureGradient(logits);
                    var gz = logits.Gradient!.Span;
                    var gzt = logits.GradientTangent is null ? default : logits.GradientTangent.Span;
                    var ps = probabilities.Span;
                    var zt = logits.Tangent is null ? default : logits.Tangent.Span;
                    for (var i = 0; i < n; i++)
                    {
                        var w = weights is null ? T.One : weights.Value[i];
                        var wt = weights?.Tangent is null ? T.Zero : weights.Tangent[i];
                        var pi = ps.Slice(i * classes, classes);
                        var gzi = gz.Slice(i * classes, classes);
                        TensorPrimitives.MultiplyAdd(pi, g * w, gzi, gzi);
                        gzi[labelsNow[i]] -= g * w;
                        if (logits.GradientTangent is null)
                        {
                            continue;
                        }

                        var gti = gzt.Slice(i * classes, classes);
                        var coefficient = (gt * w) + (g * wt);
                        TensorPrimitives.MultiplyAdd(pi, coefficient, gti, gti);
                        gti[labelsNow[i]] -= coefficient;
                        if (!zt.IsEmpty)
                        {
                            var zti = zt.Slice(i * classes, classes);
                            var mean = TensorPrimitives.Dot<T>(pi, zti);
                            var scale = g * w;
                            for (var c = 0; c < classes; c++)
                            {
                                gti[c] += scale * pi[c] * (zti[c] - mean);
                            }
                        }
                    }
                }

                if (weights is not null && weights.RequiresGradient)
                {
                    graph.EnsureGradient(weights);
                    TensorPrimitives.MultiplyAdd(losses.Span, g, weights.Gradient!.Span, weights.Gradient.Span);
                    if (weights.GradientTangent is not null)
                    {
                        TensorPrimitives.MultiplyAdd(losses.Span, gt, weights.GradientTangent.Span, weights.GradientTangent.Span);
                        if (lossTangents is not null)
                        {
                            TensorPrimitives.MultiplyAdd(lossTangents.Span, g, weights.GradientTangent.Span, weights.GradientTangent.Span);
                        }
                    }
                }
            });
        }

        return result;
    }

    /// <summary>
    /// The adjoint rules of an operation whose Jacobian is the identity on <paramref name="input"/> (sums, views):
    /// X̄ += Ȳ and X̄̇ += Ȳ̇, element for element (shapes may differ, sizes do not). When no other consumer has
    /// contributed to X̄ yet, X̄ becomes a view of Ȳ instead of a copy (Ȳ is not read again once this adjoint has
    /// run; a later consumer of X adds into the shared buffer).
    /// </summary>
    private static void AccumulateIdentity<T>(Graph<T> graph, Variable<T> result, Variable<T> input, bool alias = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (alias && input.Gradient is null && input.GradientTangent is null && (!graph.HasTangents || result.GradientTangent is not null))
        {
            input.Gradient = result.Gradient!.Reshape(input.Shape);
            input.GradientTangent = result.GradientTangent?.Reshape(input.Shape);
            return;
        }

        graph.EnsureGradient(input);
        TensorPrimitives.Add(input.Gradient!.Span, result.Gradient!.Span, input.Gradient.Span);
        if (input.GradientTangent is not null && result.GradientTangent is not null)
        {
            TensorPrimitives.Add(input.GradientTangent.Span, result.GradientTangent.Span, input.GradientTangent.Span);
        }
    }

    private static void SameShape<T>(Variable<T> a, Variable<T> b, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!a.Value.SameShape(b.Value))
        {
            throw new ArgumentException($"{operation}: shapes [{string.Join(", ", a.Shape)}] and [{string.Join(", ", b.Shape)}] differ");
        }
    }
}
