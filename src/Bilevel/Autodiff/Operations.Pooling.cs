using System.Numerics;
using Bilevel.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bilevel.Autodiff;

public static partial class Operations
{
    /// <summary>
    /// Max pooling over size × size windows with stride = size (floor: a trailing row or column that does not fill a
    /// window is dropped, as in PyTorch's default): X [N, C, H, W] → Y [N, C, H/size, W/size]. Piecewise linear:
    /// the tangent, the adjoint and the adjoint's tangent all route through the argmax (first maximum on ties).
    /// </summary>
    public static Variable<T> MaxPool2d<T>(this Graph<T> graph, Variable<T> input, int size = 2)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (input.Value.Rank != 4)
        {
            throw new ArgumentException($"MaxPool2d needs [N, C, H, W], got [{string.Join(", ", input.Shape)}]");
        }

        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        int oh = h / size, ow = w / size;
        if (oh == 0 || ow == 0)
        {
            throw new ArgumentException($"MaxPool2d: a {size}×{size} window does not fit a {h}×{w} input");
        }

        var y = graph.AllocateUninitialized(n, c, oh, ow);
        var argmax = graph.AllocateIndices(y.Size);
        var x = input.Value.Span;
        var ys = y.Span;
        if (size == 2)
        {
            MaxPool2x2(x, ys, argmax, n * c, h, w, oh, ow);
        }
        else
        {
            MaxPoolGeneral(x, ys, argmax, n * c, h, w, oh, ow, size);
        }

        Tensor<T>? tangent = null;
        if (graph.HasTangents && input.Tangent is not null)
        {
            tangent = graph.AllocateUninitialized(y.Shape);
            Gather(input.Tangent.Span, argmax, tangent.Span);
        }

        var result = graph.Result(y, tangent, input.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                graph.EnsureGradient(input);
                Scatter(result.Gradient.Span, argmax, input.Gradient!.Span);
                if (input.GradientTangent is not null && result.GradientTangent is not null)
                {
                    Scatter(result.GradientTangent.Span, argmax, input.GradientTangent.Span);
                }
            });
        }

        return result;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void MaxPool2x2<T>(ReadOnlySpan<T> x, Span<T> y, int[] argmax, int planes, int h, int w, int oh, int ow)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var o = 0;
        for (var plane = 0; plane < planes; plane++)
        {
            var baseIndex = plane * h * w;
            for (var oy = 0; oy < oh; oy++)
            {
                var top = baseIndex + (2 * oy * w);
                var row0 = x.Slice(top, w);
                var row1 = x.Slice(top + w, w);
                for (var ox = 0; ox < ow; ox++)
                {
                    // Branch-free (comparisons become 0/1 integers, not jumps; random data mispredicts every
                    // branch): the first maximum in scan order — row 0 left, right, then row 1 left, right.
                    var j = 2 * ox;
                    var upper = j + (row0[j + 1] > row0[j] ? 1 : 0);
                    var lower = j + (row1[j + 1] > row1[j] ? 1 : 0);
                    var second = row1[lower] > row0[upper] ? 1 : 0;
                    var best = upper + (second * (w + lower - upper));
                    var value = x[top + best];
                    argmax[o] = top + best;
                    y[o++] = value;
                }
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void MaxPoolGeneral<T>(ReadOnlySpan<T> x, Span<T> ys, int[] argmax, int planes, int h, int w, int oh, int ow, int size)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var o = 0;
        for (var plane = 0; plane < planes; plane++)
        {
            var baseIndex = plane * h * w;
            for (var oy = 0; oy < oh; oy++)
            {
                for (var ox = 0; ox < ow; ox++)
                {
                    var best = baseIndex + (oy * size * w) + (ox * size);
                    for (var i = 0; i < size; i++)
                    {
                        var rowStart = baseIndex + (((oy * size) + i) * w) + (ox * size);
                        for (var j = 0; j < size; j++)
                        {
                            if (x[rowStart + j] > x[best])
                            {
                                best = rowStart + j;
                            }
                        }
                    }

                    argmax[o] = best;
                    ys[o++] = x[best];
                }
            }
        }

    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Gather<T>(ReadOnlySpan<T> source, int[] index, Span<T> target)
    {
        for (var i = 0; i < index.Length; i++)
        {
            target[i] = source[index[i]];
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Scatter<T>(ReadOnlySpan<T> source, int[] index, Span<T> target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < index.Length; i++)
        {
            target[index[i]] += source[i];
        }
    }

    /// <summary>[N, d1, d2, …] → [N, d1·d2·…]: a <see cref="Reshape{T}"/> keeping the first dimension.</summary>
    public static Variable<T> Flatten<T>(this Graph<T> graph, Variable<T> input)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        var n = input.Shape[0];
        return graph.Reshape(input, n, input.Value.Size / Math.Max(n, 1));
    }

    /// <summary>
    /// Batch normalization with batch statistics (training mode, as the papers' ConvNets run it), per channel c of
    /// X [N, C, H, W] over its m = N·H·W entries: μ = mean x, r = (σ² + ε)^{−1/2}, x̂ = (x − μ) r, y = γ x̂ + β.
    /// Tangent: a = mean(x̂ ẋ), x̂̇ = r (ẋ − mean ẋ − x̂ a), ẏ = γ̇ x̂ + γ x̂̇ + β̇.
    /// Adjoint: ḡ = γ ȳ, x̄ = r (ḡ − mean ḡ − x̂ mean(ḡ x̂)), γ̄ = Σ ȳ x̂, β̄ = Σ ȳ.
    /// Adjoint tangent: ḡ̇ = γ̇ ȳ + γ ȳ̇, x̄̇ = −r a x̄ + r (ḡ̇ − mean ḡ̇ − x̂̇ mean(ḡ x̂) − x̂ mean(ḡ̇ x̂ + ḡ x̂̇)),
    /// γ̄̇ = Σ (ȳ̇ x̂ + ȳ x̂̇), β̄̇ = Σ ȳ̇ (using ṙ = −r² a).
    /// </summary>
    public static Variable<T> BatchNorm2d<T>(this Graph<T> graph, Variable<T> input, Variable<T> scale, Variable<T> shift, double epsilon = 1e-5)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(shift);
        if (input.Value.Rank != 4 || scale.Value.Size != input.Shape[1] || shift.Value.Size != input.Shape[1])
        {
            throw new ArgumentException($"BatchNorm2d needs [N, C, H, W] with C scales and shifts, got [{string.Join(", ", input.Shape)}], {scale.Value.Size} and {shift.Value.Size}");
        }

        int n = input.Shape[0], c = input.Shape[1], plane = input.Shape[2] * input.Shape[3];
        var m = T.CreateChecked(n * plane);
        var eps = T.CreateChecked(epsilon);
        var normalized = graph.AllocateUninitialized(input.Shape);
        var rs = graph.AllocateUninitialized(c);
        var y = graph.AllocateUninitialized(input.Shape);
        var xs = input.Value.Span;
        for (var ch = 0; ch < c; ch++)
        {
            var sum = T.Zero;
            for (var b = 0; b < n; b++)
            {
                sum += TensorPrimitives.Sum(xs.Slice(((b * c) + ch) * plane, plane));
            }

            var mean = sum / m;
            var squares = T.Zero;
            for (var b = 0; b < n; b++)
            {
                var segment = normalized.Span.Slice(((b * c) + ch) * plane, plane);
                TensorPrimitives.Subtract(xs.Slice(((b * c) + ch) * plane, plane), mean, segment);
                squares += TensorPrimitives.SumOfSquares<T>(segment);
            }

            var r = T.One / T.Sqrt((squares / m) + eps);
            rs[ch] = r;
            for (var b = 0; b < n; b++)
            {
                var offset = ((b * c) + ch) * plane;
                var segment = normalized.Span.Slice(offset, plane);
                TensorPrimitives.Multiply(segment, r, segment);
                var output = y.Span.Slice(offset, plane);
                TensorPrimitives.Multiply(segment, scale.Value[ch], output);
                TensorPrimitives.Add(output, shift.Value[ch], output);
            }
        }

        // Per channel a = mean(x̂ ẋ) and x̂̇, when x has a tangent.
        var a = graph.Allocate(c);
        Tensor<T>? normalizedTangent = null;
        Tensor<T>? tangent = null;
        if (graph.HasTangents && (input.Tangent is not null || scale.Tangent is not null || shift.Tangent is not null))
        {
            tangent = graph.AllocateUninitialized(input.Shape);
            if (input.Tangent is not null)
            {
                normalizedTangent = graph.AllocateUninitialized(input.Shape);
                var xt = input.Tangent.Span;
                for (var ch = 0; ch < c; ch++)
                {
                    var tangentSum = T.Zero;
                    var dot = T.Zero;
                    for (var b = 0; b < n; b++)
                    {
                        var offset = ((b * c) + ch) * plane;
                        tangentSum += TensorPrimitives.Sum(xt.Slice(offset, plane));
                        dot += TensorPrimitives.Dot<T>(normalized.Span.Slice(offset, plane), xt.Slice(offset, plane));
                    }

                    var tangentMean = tangentSum / m;
                    a[ch] = dot / m;
                    for (var b = 0; b < n; b++)
                    {
                        var offset = ((b * c) + ch) * plane;
                        var target = normalizedTangent.Span.Slice(offset, plane);
                        TensorPrimitives.Subtract(xt.Slice(offset, plane), tangentMean, target);
                        TensorPrimitives.MultiplyAdd(normalized.Span.Slice(offset, plane), -a[ch], target, target);
                        TensorPrimitives.Multiply(target, rs[ch], target);
                    }
                }
            }

            for (var ch = 0; ch < c; ch++)
            {
                var gamma = scale.Value[ch];
                var gammaTangent = scale.Tangent is null ? T.Zero : scale.Tangent[ch];
                var betaTangent = shift.Tangent is null ? T.Zero : shift.Tangent[ch];
                for (var b = 0; b < n; b++)
                {
                    var offset = ((b * c) + ch) * plane;
                    var target = tangent.Span.Slice(offset, plane);
                    TensorPrimitives.Multiply(normalized.Span.Slice(offset, plane), gammaTangent, target);
                    TensorPrimitives.Add(target, betaTangent, target);
                    if (normalizedTangent is not null)
                    {
                        TensorPrimitives.MultiplyAdd(normalizedTangent.Span.Slice(offset, plane), gamma, target, target);
                    }
                }
            }
        }

        var result = graph.Result(y, tangent, input.RequiresGradient || scale.RequiresGradient || shift.RequiresGradient);
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
                var xhatAll = normalized.Span;
                if (scale.RequiresGradient || shift.RequiresGradient)
                {
                    if (scale.RequiresGradient)
                    {
                        graph.EnsureGradient(scale);
                    }

                    if (shift.RequiresGradient)
                    {
                        graph.EnsureGradient(shift);
                    }

                    for (var ch = 0; ch < c; ch++)
                    {
                        for (var b = 0; b < n; b++)
                        {
                            var offset = ((b * c) + ch) * plane;
                            var g = gy.Slice(offset, plane);
                            var xhat = xhatAll.Slice(offset, plane);
                            if (scale.RequiresGradient)
                            {
                                scale.Gradient![ch] += TensorPrimitives.Dot<T>(g, xhat);
                                if (scale.GradientTangent is not null)
                                {
                                    if (gyt is not null)
                                    {
                                        scale.GradientTangent[ch] += TensorPrimitives.Dot<T>(gyt.Span.Slice(offset, plane), xhat);
                                    }

                                    if (normalizedTangent is not null)
                                    {
                                        scale.GradientTangent[ch] += TensorPrimitives.Dot<T>(g, normalizedTangent.Span.Slice(offset, plane));
                                    }
                                }
                            }

                            if (shift.RequiresGradient)
                            {
                                shift.Gradient![ch] += TensorPrimitives.Sum(g);
                                if (shift.GradientTangent is not null && gyt is not null)
                                {
                                    shift.GradientTangent[ch] += TensorPrimitives.Sum(gyt.Span.Slice(offset, plane));
                                }
                            }
                        }
                    }
                }

                if (!input.RequiresGradient)
                {
                    return;
                }

                graph.EnsureGradient(input);
                var gx = input.Gradient!.Span;
                var gxt = input.GradientTangent;
                var scratch = graph.AllocateUninitialized(plane);
                for (var ch = 0; ch < c; ch++)
                {
                    var gamma = scale.Value[ch];
                    var gammaTangent = scale.Tangent is null ? T.Zero : scale.Tangent[ch];
                    var r = rs[ch];

                    // Channel sums: Σ ḡ, Σ ḡ x̂ and, for the tangent, Σ ḡ̇, Σ ḡ̇ x̂, Σ ḡ x̂̇.
                    T sumG = T.Zero, sumGX = T.Zero, sumGt = T.Zero, sumGtX = T.Zero, sumGXt = T.Zero;
                    for (var b = 0; b < n; b++)
                    {
                        var offset = ((b * c) + ch) * plane;
                        var g = gy.Slice(offset, plane);
                        var xhat = xhatAll.Slice(offset, plane);
                        sumG += gamma * TensorPrimitives.Sum(g);
                        sumGX += gamma * TensorPrimitives.Dot<T>(g, xhat);
                        if (gxt is not null)
                        {
                            var gtSum = gammaTangent * TensorPrimitives.Sum(g);
                            var gtDot = gammaTangent * TensorPrimitives.Dot<T>(g, xhat);
                            if (gyt is not null)
                            {
                                gtSum += gamma * TensorPrimitives.Sum(gyt.Span.Slice(offset, plane));
                                gtDot += gamma * TensorPrimitives.Dot<T>(gyt.Span.Slice(offset, plane), xhat);
                            }

                            sumGt += gtSum;
                            sumGtX += gtDot;
                            if (normalizedTangent is not null)
                            {
                                sumGXt += gamma * TensorPrimitives.Dot<T>(g, normalizedTangent.Span.Slice(offset, plane));
                            }
                        }
                    }

                    var meanG = sumG / m;
                    var meanGX = sumGX / m;
                    var meanGt = sumGt / m;
                    var meanSecond = (sumGtX + sumGXt) / m;
                    var xbar = scratch.Span;
                    for (var b = 0; b < n; b++)
                    {
                        var offset = ((b * c) + ch) * plane;
                        var g = gy.Slice(offset, plane);
                        var xhat = xhatAll.Slice(offset, plane);

                        // x̄ = r (γ ȳ − mean ḡ − x̂ mean(ḡ x̂)).
                        TensorPrimitives.Multiply(g, r * gamma, xbar);
                        TensorPrimitives.Add(xbar, -(r * meanG), xbar);
                        TensorPrimitives.MultiplyAdd(xhat, -(r * meanGX), xbar, xbar);
                        var target = gx.Slice(offset, plane);
                        TensorPrimitives.Add(target, xbar, target);
                        if (gxt is null)
                        {
                            continue;
                        }

                        // x̄̇ += −r a x̄ + r (γ̇ ȳ + γ ȳ̇ − mean ḡ̇ − x̂̇ mean(ḡ x̂) − x̂ mean(ḡ̇ x̂ + ḡ x̂̇)).
                        var targetTangent = gxt.Span.Slice(offset, plane);
                        TensorPrimitives.MultiplyAdd(xbar, -(r * a[ch]), targetTangent, targetTangent);
                        TensorPrimitives.MultiplyAdd(g, r * gammaTangent, targetTangent, targetTangent);
                        if (gyt is not null)
                        {
                            TensorPrimitives.MultiplyAdd(gyt.Span.Slice(offset, plane), r * gamma, targetTangent, targetTangent);
                        }

                        TensorPrimitives.Add(targetTangent, -(r * meanGt), targetTangent);
                        if (normalizedTangent is not null)
                        {
                            TensorPrimitives.MultiplyAdd(normalizedTangent.Span.Slice(offset, plane), -(r * meanGX), targetTangent, targetTangent);
                        }

                        TensorPrimitives.MultiplyAdd(xhat, -(r * meanSecond), targetTangent, targetTangent);
                    }
                }
            });
        }

        return result;
    }
}
