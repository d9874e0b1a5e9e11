using System.Numerics;
using Bilevel.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bilevel.Autodiff;

public static partial class Operations
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as deep-learning libraries define it) of X [N, C, H, W] with weights
    /// K [F, C, kh, kw], stride s and zero padding p: Y [N, F, Ho, Wo], Ho = (H + 2p − kh)/s + 1. Computed as one GEMM
    /// over the whole batch, Y′ = K·cols(X) with cols(X) [C·kh·kw, N·Ho·Wo] (im2col). Y is bilinear in (K, X), so
    /// Ẏ = K̇⊛X + K⊛Ẋ; X̄ = col2im(Kᵀ Ȳ′), X̄̇ = col2im(K̇ᵀ Ȳ′ + Kᵀ Ȳ̇′); K̄ = Ȳ′ cols(X)ᵀ, K̄̇ = Ȳ̇′ cols(X)ᵀ + Ȳ′ cols(Ẋ)ᵀ.
    /// </summary>
    public static Variable<T> Conv2d<T>(this Graph<T> graph, Variable<T> input, Variable<T> kernel, int stride = 1, int padding = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(kernel);
        if (input.Value.Rank != 4 || kernel.Value.Rank != 4 || input.Shape[1] != kernel.Shape[1])
        {
            throw new ArgumentException($"Conv2d needs input [N, C, H, W] and kernel [F, C, kh, kw] with equal C, got [{string.Join(", ", input.Shape)}] and [{string.Join(", ", kernel.Shape)}]");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        var g = new ConvGeometry(input.Shape, kernel.Shape, stride, padding);
        var columns = graph.Allocate(g.Patch, g.Columns);
        var product = graph.Allocate(g.Filters, g.Columns);
        var y = graph.Allocate(g.Batch, g.Filters, g.OutHeight, g.OutWidth);
        Im2Col(input.Value.Span, columns.Span, g);
        Blas.Gemm(false, false, g.Filters, g.Columns, g.Patch, T.One, kernel.Value.Span, g.Patch, columns.Span, g.Columns, T.Zero, product.Span, g.Columns);
        ToBatchMajor(product.Span, y.Span, g);

        Tensor<T>? tangent = null;
        Tensor<T>? tangentColumns = null;
        if (graph.HasTangents && (input.Tangent is not null || kernel.Tangent is not null))
        {
            tangent = graph.Allocate(y.Shape);
            var tangentProduct = graph.Allocate(g.Filters, g.Columns);
            if (kernel.Tangent is not null)
            {
                Blas.Gemm(false, false, g.Filters, g.Columns, g.Patch, T.One, kernel.Tangent.Span, g.Patch, columns.Span, g.Columns, T.Zero, tangentProduct.Span, g.Columns);
            }

            if (input.Tangent is not null)
            {
                tangentColumns = graph.Allocate(g.Patch, g.Columns);
                Im2Col(input.Tangent.Span, tangentColumns.Span, g);
                Blas.Gemm(false, false, g.Filters, g.Columns, g.Patch, T.One, kernel.Value.Span, g.Patch, tangentColumns.Span, g.Columns, T.One, tangentProduct.Span, g.Columns);
            }

            ToBatchMajor(tangentProduct.Span, tangent.Span, g);
        }

        var result = graph.Result(y, tangent, input.RequiresGradient || kernel.RequiresGradient);
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                // Ȳ′ (and Ȳ̇′) in filter-major layout, reusing the product buffer.
                var gradient = product;
                ToFilterMajor(result.Gradient.Span, gradient.Span, g);
                Tensor<T>? gradientTangent = null;
                if (result.GradientTangent is not null)
                {
                    gradientTangent = graph.Allocate(g.Filters, g.Columns);
                    ToFilterMajor(result.GradientTangent.Span, gradientTangent.Span, g);
                }

                if (kernel.RequiresGradient)
                {
                    graph.EnsureGradient(kernel);
                    Blas.Gemm(false, true, g.Filters, g.Patch, g.Columns, T.One, gradient.Span, g.Columns, columns.Span, g.Columns, T.One, kernel.Gradient!.Span, g.Patch);
                    if (kernel.GradientTangent is not null)
                    {
                        if (gradientTangent is not null)
                        {
                            Blas.Gemm(false, true, g.Filters, g.Patch, g.Columns, T.One, gradientTangent.Span, g.Columns, columns.Span, g.Columns, T.One, kernel.GradientTangent.Span, g.Patch);
                        }

                        if (tangentColumns is not null)
                        {
                            Blas.Gemm(false, true, g.Filters, g.Patch, g.Columns, T.One, gradient.Span, g.Columns, tangentColumns.Span, g.Columns, T.One, kernel.GradientTangent.Span, g.Patch);
                        }
                    }
                }

                if (input.RequiresGradient)
                {
                    graph.EnsureGradient(input);
                    var columnGradient = columns; // cols(X) is no longer needed once K̄ is done
                    Blas.Gemm(true, false, g.Patch, g.Columns, g.Filters, T.One, kernel.Value.Span, g.Patch, gradient.Span, g.Columns, T.Zero, columnGradient.Span, g.Columns);
                    Col2Im(columnGradient.Span, input.Gradient!.Span, g);
                    if (input.GradientTangent is not null && (gradientTangent is not null || kernel.Tangent is not null))
                    {
                        var beta = T.Zero;
                        if (gradientTangent is not null)
                        {
                            Blas.Gemm(true, false, g.Patch, g.Columns, g.Filters, T.One, kernel.Value.Span, g.Patch, gradientTangent.Span, g.Columns, T.Zero, columnGradient.Span, g.Columns);
                            beta = T.One;
                        }

                        if (kernel.Tangent is not null)
                        {
                            Blas.Gemm(true, false, g.Patch, g.Columns, g.Filters, T.One, kernel.Tangent.Span, g.Patch, gradient.Span, g.Columns, beta, columnGradient.Span, g.Columns);
                        }

                        Col2Im(columnGradient.Span, input.GradientTangent.Span, g);
                    }
                }
            });
        }

        return result;
    }

    private readonly record struct ConvGeometry
    {
        public ConvGeometry(int[] input, int[] kernel, int stride, int padding)
        {
            Batch = input[0];
            Channels = input[1];
            Height = input[2];
            Width = input[3];
            Filters = kernel[0];
            KernelHeight = kernel[2];
            KernelWidth = kernel[3];
            Stride = stride;
            Padding = padding;
            OutHeight = ((Height + (2 * padding) - KernelHeight) / stride) + 1;
            OutWidth = ((Width + (2 * padding) - KernelWidth) / stride) + 1;
            if (OutHeight <= 0 || OutWidth <= 0)
            {
                throw new ArgumentException($"Conv2d: a {KernelHeight}×{KernelWidth} kernel does not fit a {Height}×{Width} input with padding {padding}");
            }
        }

        public int Batch { get; }

        public int Channels { get; }

        public int Height { get; }

        public int Width { get; }

        public int Filters { get; }

        public int KernelHeight { get; }

        public int KernelWidth { get; }

        public int Stride { get; }

        public int Padding { get; }

        public int OutHeight { get; }

        public int OutWidth { get; }

        public int Patch => Channels * KernelHeight * KernelWidth;

        public int Positions => OutHeight * OutWidth;

        public int Columns => Batch * Positions;
    }

    /// <summary>cols[(c·kh + i)·kw + j, n·Ho·Wo + oy·Wo + ox] = X[n, c, oy·s − p + i, ox·s − p + j] (0 outside).</summary>
    private static void Im2Col<T>(ReadOnlySpan<T> x, Span<T> columns, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var c = 0; c < g.Channels; c++)
        {
            for (var i = 0; i < g.KernelHeight; i++)
            {
                for (var j = 0; j < g.KernelWidth; j++)
                {
                    var row = columns.Slice((((c * g.KernelHeight) + i) * g.KernelWidth + j) * g.Columns, g.Columns);
                    for (var n = 0; n < g.Batch; n++)
                    {
                        var plane = x.Slice(((n * g.Channels) + c) * g.Height * g.Width, g.Height * g.Width);
                        var target = row.Slice(n * g.Positions, g.Positions);
                        for (var oy = 0; oy < g.OutHeight; oy++)
                        {
                            var iy = (oy * g.Stride) - g.Padding + i;
                            var line = target.Slice(oy * g.OutWidth, g.OutWidth);
                            if ((uint)iy >= (uint)g.Height)
                            {
                                line.Clear();
                                continue;
                            }

                            var source = plane.Slice(iy * g.Width, g.Width);
                            if (g.Stride == 1)
                            {
                                // ix = ox − p + j: a shifted copy with zero borders.
                                var shift = j - g.Padding;
                                var from = Math.Max(0, -shift);
                                var to = Math.Min(g.OutWidth, g.Width - shift);
                                line[..Math.Min(from, g.OutWidth)].Clear();
                                if (to > from)
                                {
                                    source.Slice(from + shift, to - from).CopyTo(line[from..to]);
                                }

                                if (to < g.OutWidth)
                                {
                                    line[Math.Max(to, 0)..].Clear();
                                }
                            }
                            else
                            {
                                for (var ox = 0; ox < g.OutWidth; ox++)
                                {
                                    var ix = (ox * g.Stride) - g.Padding + j;
                                    line[ox] = (uint)ix < (uint)g.Width ? source[ix] : T.Zero;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col{T}"/>: adds every column entry back to the input position it came from.</summary>
    private static void Col2Im<T>(ReadOnlySpan<T> columns, Span<T> x, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var c = 0; c < g.Channels; c++)
        {
            for (var i = 0; i < g.KernelHeight; i++)
            {
                for (var j = 0; j < g.KernelWidth; j++)
                {
                    var row = columns.Slice((((c * g.KernelHeight) + i) * g.KernelWidth + j) * g.Columns, g.Columns);
                    for (var n = 0; n < g.Batch; n++)
                    {
                        var plane = x.Slice(((n * g.Channels) + c) * g.Height * g.Width, g.Height * g.Width);
                        var source = row.Slice(n * g.Positions, g.Positions);
                        for (var oy = 0; oy < g.OutHeight; oy++)
                        {
                            var iy = (oy * g.Stride) - g.Padding + i;
                            if ((uint)iy >= (uint)g.Height)
                            {
                                continue;
                            }

                            var line = source.Slice(oy * g.OutWidth, g.OutWidth);
                            var target = plane.Slice(iy * g.Width, g.Width);
                            if (g.Stride == 1)
                            {
                                var shift = j - g.Padding;
                                var from = Math.Max(0, -shift);
                                var to = Math.Min(g.OutWidth, g.Width - shift);
                                if (to > from)
                                {
                                    var destination = target.Slice(from + shift, to - from);
                                    TensorPrimitives.Add(destination, line[from..to], destination);
                                }
                            }
                            else
                            {
                                for (var ox = 0; ox < g.OutWidth; ox++)
                                {
                                    var ix = (ox * g.Stride) - g.Padding + j;
                                    if ((uint)ix < (uint)g.Width)
                                    {
                                        target[ix] += line[ox];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>[F, N·P] → [N, F, P].</summary>
    private static void ToBatchMajor<T>(ReadOnlySpan<T> filterMajor, Span<T> batchMajor, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var f = 0; f < g.Filters; f++)
        {
            for (var n = 0; n < g.Batch; n++)
            {
                filterMajor.Slice((f * g.Columns) + (n * g.Positions), g.Positions)
                    .CopyTo(batchMajor.Slice(((n * g.Filters) + f) * g.Positions, g.Positions));
            }
        }
    }

    /// <summary>[N, F, P] → [F, N·P].</summary>
    private static void ToFilterMajor<T>(ReadOnlySpan<T> batchMajor, Span<T> filterMajor, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var f = 0; f < g.Filters; f++)
        {
            for (var n = 0; n < g.Batch; n++)
            {
                batchMajor.Slice(((n * g.Filters) + f) * g.Positions, g.Positions)
                    .CopyTo(filterMajor.Slice((f * g.Columns) + (n * g.Positions), g.Positions));
            }
        }
    }
}
