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
        if (stride == 1 && g.Channels >= ShiftedMinimumChannels)
        {
            return ShiftedConv2d(graph, input, kernel, g);
        }

        return PerSampleConv2d(graph, input, kernel, g);
    }

    /// <summary>
    /// The im2col path, one sample at a time so the patch matrix cols(Xₙ) [C·kh·kw, Ho·Wo] stays in cache and Yₙ is
    /// written in place in NCHW: Yₙ = K·cols(Xₙ). Backward recomputes cols(Xₙ): K̄ += Ȳₙ cols(Xₙ)ᵀ,
    /// X̄ₙ += col2im(Kᵀ Ȳₙ), and the tangents as in <see cref="Conv2d{T}"/>.
    /// </summary>
    private static Variable<T> PerSampleConv2d<T>(Graph<T> graph, Variable<T> input, Variable<T> kernel, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var one = g.Sample;
        var sampleIn = g.Channels * g.Height * g.Width;
        var sampleOut = g.Filters * g.Positions;
        var columns = graph.AllocateUninitialized(g.Patch, g.Positions);
        var y = graph.AllocateUninitialized(g.Batch, g.Filters, g.OutHeight, g.OutWidth);
        for (var n = 0; n < g.Batch; n++)
        {
            Im2Col(input.Value.Span.Slice(n * sampleIn, sampleIn), columns.Span, one);
            Blas.Gemm(false, false, g.Filters, g.Positions, g.Patch, T.One, kernel.Value.Span, g.Patch, columns.Span, g.Positions, T.Zero, y.Span.Slice(n * sampleOut, sampleOut), g.Positions);
        }

        Tensor<T>? tangent = null;
        if (graph.HasTangents && (input.Tangent is not null || kernel.Tangent is not null))
        {
            tangent = graph.AllocateUninitialized(y.Shape);
            for (var n = 0; n < g.Batch; n++)
            {
                var target = tangent.Span.Slice(n * sampleOut, sampleOut);
                var beta = T.Zero;
                if (kernel.Tangent is not null)
                {
                    Im2Col(input.Value.Span.Slice(n * sampleIn, sampleIn), columns.Span, one);
                    Blas.Gemm(false, false, g.Filters, g.Positions, g.Patch, T.One, kernel.Tangent.Span, g.Patch, columns.Span, g.Positions, T.Zero, target, g.Positions);
                    beta = T.One;
                }

                if (input.Tangent is not null)
                {
                    Im2Col(input.Tangent.Span.Slice(n * sampleIn, sampleIn), columns.Span, one);
                    Blas.Gemm(false, false, g.Filters, g.Positions, g.Patch, T.One, kernel.Value.Span, g.Patch, columns.Span, g.Positions, beta, target, g.Positions);
                }
                else if (beta == T.Zero)
                {
                    target.Clear();
                }
            }
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

                var gy = result.Gradient.Span;
                var gyt = result.GradientTangent;
                var wantKernel = kernel.RequiresGradient;
                var wantInput = input.RequiresGradient;
                if (wantKernel)
                {
                    graph.EnsureGradient(kernel);
                }

                if (wantInput)
                {
                    graph.EnsureGradient(input);
                }

                var kernelTangentGradient = wantKernel ? kernel.GradientTangent : null;
                var inputTangentGradient = wantInput ? input.GradientTangent : null;
                var columnGradient = wantInput ? graph.AllocateUninitialized(g.Patch, g.Positions) : null;
                for (var n = 0; n < g.Batch; n++)
                {
                    var gyn = gy.Slice(n * sampleOut, sampleOut);
                    if (wantKernel)
                    {
                        Im2Col(input.Value.Span.Slice(n * sampleIn, sampleIn), columns.Span, one);
                        Blas.Gemm(false, true, g.Filters, g.Patch, g.Positions, T.One, gyn, g.Positions, columns.Span, g.Positions, T.One, kernel.Gradient!.Span, g.Patch);
                        if (kernelTangentGradient is not null)
                        {
                            if (gyt is not null)
                            {
                                Blas.Gemm(false, true, g.Filters, g.Patch, g.Positions, T.One, gyt.Span.Slice(n * sampleOut, sampleOut), g.Positions, columns.Span, g.Positions, T.One, kernelTangentGradient.Span, g.Patch);
                            }

                            if (input.Tangent is not null)
                            {
                                Im2Col(input.Tangent.Span.Slice(n * sampleIn, sampleIn), columns.Span, one);
                                Blas.Gemm(false, true, g.Filters, g.Patch, g.Positions, T.One, gyn, g.Positions, columns.Span, g.Positions, T.One, kernelTangentGradient.Span, g.Patch);
                            }
                        }
                    }

                    if (wantInput)
                    {
                        Blas.Gemm(true, false, g.Patch, g.Positions, g.Filters, T.One, kernel.Value.Span, g.Patch, gyn, g.Positions, T.Zero, columnGradient!.Span, g.Positions);
                        Col2Im(columnGradient.Span, input.Gradient!.Span.Slice(n * sampleIn, sampleIn), one);
                        if (inputTangentGradient is not null && (gyt is not null || kernel.Tangent is not null))
                        {
                            var beta = T.Zero;
                            if (gyt is not null)
                            {
                                Blas.Gemm(true, false, g.Patch, g.Positions, g.Filters, T.One, kernel.Value.Span, g.Patch, gyt.Span.Slice(n * sampleOut, sampleOut), g.Positions, T.Zero, columnGradient.Span, g.Positions);
                                beta = T.One;
                            }

                            if (kernel.Tangent is not null)
                            {
                                Blas.Gemm(true, false, g.Patch, g.Positions, g.Filters, T.One, kernel.Tangent.Span, g.Patch, gyn, g.Positions, beta, columnGradient.Span, g.Positions);
                            }

                            Col2Im(columnGradient.Span, inputTangentGradient.Span.Slice(n * sampleIn, sampleIn), one);
                        }
                    }
                }
            });
        }

        return result;
    }

    /// <summary>Stride-1 convolutions with at least this many input channels use the shifted-GEMM path.</summary>
    internal const int ShiftedMinimumChannels = 4;

    /// <summary>
    /// Stride-1 convolution without im2col: with the batch laid out channel-major on the zero-padded grid,
    /// Xp [C, N·Hp·Wp], every kernel tap (i, j) is one GEMM of K_ij [F × C] with Xp shifted by i·Wp + j, accumulated into
    /// Y′ [F, N·Hp·Wp]; the valid outputs are the top-left Ho × Wo corner of each padded plane. The adjoints are the same
    /// GEMMs transposed: K̄_ij += Ȳ′ Xp_ijᵀ and X̄p (shifted) += K_ijᵀ Ȳ′, with Ȳ′ zero off the valid corner. Same rules as
    /// <see cref="Conv2d{T}"/>; it trades about (Hp·Wp)/(Ho·Wo) more multiply-adds for no im2col traffic.
    /// </summary>
    private static Variable<T> ShiftedConv2d<T>(Graph<T> graph, Variable<T> input, Variable<T> kernel, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var pw = g.Width + (2 * g.Padding);
        var ph = g.Height + (2 * g.Padding);
        var plane = ph * pw;
        var length = g.Batch * plane;
        var slack = ((g.KernelHeight - 1) * pw) + (g.KernelWidth - 1);
        var stride = length + slack;
        var taps = g.KernelHeight * g.KernelWidth;
        var fc = g.Filters * g.Channels;

        var padded = graph.Allocate(g.Channels, stride);
        Pad(input.Value.Span, padded.Span, g, pw, plane, stride);
        var packed = graph.AllocateUninitialized(taps, g.Filters, g.Channels);
        PackKernel(kernel.Value.Span, packed.Span, g);
        var product = graph.AllocateUninitialized(g.Filters, length);
        ShiftedForward(packed.Span, padded.Span, product.Span, g, pw, length, stride, accumulate: false);
        var y = graph.AllocateUninitialized(g.Batch, g.Filters, g.OutHeight, g.OutWidth);
        Crop(product.Span, y.Span, g, pw, plane, length);

        Tensor<T>? tangent = null;
        Tensor<T>? paddedTangent = null;
        Tensor<T>? packedTangent = null;
        if (graph.HasTangents && (input.Tangent is not null || kernel.Tangent is not null))
        {
            var tangentProduct = graph.Allocate(g.Filters, length);
            if (kernel.Tangent is not null)
            {
                packedTangent = graph.AllocateUninitialized(taps, g.Filters, g.Channels);
                PackKernel(kernel.Tangent.Span, packedTangent.Span, g);
                ShiftedForward(packedTangent.Span, padded.Span, tangentProduct.Span, g, pw, length, stride, accumulate: true);
            }

            if (input.Tangent is not null)
            {
                paddedTangent = graph.Allocate(g.Channels, stride);
                Pad(input.Tangent.Span, paddedTangent.Span, g, pw, plane, stride);
                ShiftedForward(packed.Span, paddedTangent.Span, tangentProduct.Span, g, pw, length, stride, accumulate: true);
            }

            tangent = graph.AllocateUninitialized(y.Shape);
            Crop(tangentProduct.Span, tangent.Span, g, pw, plane, length);
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

                var gradient = graph.Allocate(g.Filters, length);
                Uncrop(result.Gradient.Span, gradient.Span, g, pw, plane, length);
                Tensor<T>? gradientTangent = null;
                if (result.GradientTangent is not null)
                {
                    gradientTangent = graph.Allocate(g.Filters, length);
                    Uncrop(result.GradientTangent.Span, gradientTangent.Span, g, pw, plane, length);
                }

                if (kernel.RequiresGradient)
                {
                    graph.EnsureGradient(kernel);
                    var packedGradient = graph.Allocate(taps, g.Filters, g.Channels);
                    ShiftedKernelGradient(gradient.Span, padded.Span, packedGradient.Span, g, pw, length, stride);
                    UnpackKernelAdd(packedGradient.Span, kernel.Gradient!.Span, g);
                    if (kernel.GradientTangent is not null && (gradientTangent is not null || paddedTangent is not null))
                    {
                        packedGradient.Span.Clear();
                        if (gradientTangent is not null)
                        {
                            ShiftedKernelGradient(gradientTangent.Span, padded.Span, packedGradient.Span, g, pw, length, stride);
                        }

                        if (paddedTangent is not null)
                        {
                            ShiftedKernelGradient(gradient.Span, paddedTangent.Span, packedGradient.Span, g, pw, length, stride);
                        }

                        UnpackKernelAdd(packedGradient.Span, kernel.GradientTangent.Span, g);
                    }
                }

                if (input.RequiresGradient)
                {
                    graph.EnsureGradient(input);
                    var paddedGradient = padded; // Xp is no longer needed once K̄ is done
                    paddedGradient.Span.Clear();
                    ShiftedInputGradient(packed.Span, gradient.Span, paddedGradient.Span, g, pw, length, stride);
                    UnpadAdd(paddedGradient.Span, input.Gradient!.Span, g, pw, plane, stride);
                    if (input.GradientTangent is not null && (gradientTangent is not null || packedTangent is not null))
                    {
                        paddedGradient.Span.Clear();
                        if (gradientTangent is not null)
                        {
                            ShiftedInputGradient(packed.Span, gradientTangent.Span, paddedGradient.Span, g, pw, length, stride);
                        }

                        if (packedTangent is not null)
                        {
                            ShiftedInputGradient(packedTangent.Span, gradient.Span, paddedGradient.Span, g, pw, length, stride);
                        }

                        UnpadAdd(paddedGradient.Span, input.GradientTangent.Span, g, pw, plane, stride);
                    }
                }
            });
        }

        return result;

        static void ShiftedForward(ReadOnlySpan<T> packedKernel, ReadOnlySpan<T> paddedInput, Span<T> output, ConvGeometry g, int pw, int length, int stride, bool accumulate)
        {
            var fc = g.Filters * g.Channels;
            var chunk = ColumnChunk<T>();
            for (var start = 0; start < length; start += chunk)
            {
                var width = Math.Min(chunk, length - start);
                for (var i = 0; i < g.KernelHeight; i++)
                {
                    for (var j = 0; j < g.KernelWidth; j++)
                    {
                        var tap = (i * g.KernelWidth) + j;
                        var shift = (i * pw) + j;
                        Blas.Gemm(false, false, g.Filters, width, g.Channels, T.One, packedKernel.Slice(tap * fc, fc), g.Channels,
                            paddedInput[(shift + start)..], stride, accumulate || tap > 0 ? T.One : T.Zero, output[start..], length);
                    }
                }
            }
        }

        static void ShiftedKernelGradient(ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> paddedInput, Span<T> packedGradient, ConvGeometry g, int pw, int length, int stride)
        {
            var fc = g.Filters * g.Channels;
            var chunk = ColumnChunk<T>();
            for (var start = 0; start < length; start += chunk)
            {
                var width = Math.Min(chunk, length - start);
                for (var i = 0; i < g.KernelHeight; i++)
                {
                    for (var j = 0; j < g.KernelWidth; j++)
                    {
                        var tap = (i * g.KernelWidth) + j;
                        Blas.Gemm(false, true, g.Filters, g.Channels, width, T.One, outputGradient[start..], length,
                            paddedInput[((i * pw) + j + start)..], stride, T.One, packedGradient.Slice(tap * fc, fc), g.Channels);
                    }
                }
            }
        }

        static void ShiftedInputGradient(ReadOnlySpan<T> packedKernel, ReadOnlySpan<T> outputGradient, Span<T> paddedGradient, ConvGeometry g, int pw, int length, int stride)
        {
            var fc = g.Filters * g.Channels;
            var chunk = ColumnChunk<T>();
            for (var start = 0; start < length; start += chunk)
            {
                var width = Math.Min(chunk, length - start);
                for (var i = 0; i < g.KernelHeight; i++)
                {
                    for (var j = 0; j < g.KernelWidth; j++)
                    {
                        var tap = (i * g.KernelWidth) + j;
                        Blas.Gemm(true, false, g.Channels, width, g.Filters, T.One, packedKernel.Slice(tap * fc, fc), g.Channels,
                            outputGradient[start..], length, T.One, paddedGradient[((i * pw) + j + start)..], stride);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Columns per GEMM in the shifted path: the 9 taps accumulate into the same output tile, so the tile is kept
    /// small enough (8 KiB per row) to stay in cache across taps instead of streaming the whole output 9 times.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int ColumnChunk<T>()
        where T : unmanaged => 8192 / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();

    /// <summary>X [N, C, H, W] → Xp [C, stride] with plane n at n·Hp·Wp, interior at (p, p); borders stay zero.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Pad<T>(ReadOnlySpan<T> x, Span<T> padded, ConvGeometry g, int pw, int plane, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var n = 0; n < g.Batch; n++)
        {
            for (var c = 0; c < g.Channels; c++)
            {
                var source = x.Slice(((n * g.Channels) + c) * g.Height * g.Width, g.Height * g.Width);
                var target = padded.Slice((c * stride) + (n * plane), plane);
                for (var row = 0; row < g.Height; row++)
                {
                    source.Slice(row * g.Width, g.Width).CopyTo(target.Slice(((row + g.Padding) * pw) + g.Padding, g.Width));
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Pad{T}"/>: adds the interior of each padded plane back to [N, C, H, W].</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void UnpadAdd<T>(ReadOnlySpan<T> padded, Span<T> x, ConvGeometry g, int pw, int plane, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var n = 0; n < g.Batch; n++)
        {
            for (var c = 0; c < g.Channels; c++)
            {
                var target = x.Slice(((n * g.Channels) + c) * g.Height * g.Width, g.Height * g.Width);
                var source = padded.Slice((c * stride) + (n * plane), plane);
                for (var row = 0; row < g.Height; row++)
                {
                    var destination = target.Slice(row * g.Width, g.Width);
                    TensorPrimitives.Add(destination, source.Slice(((row + g.Padding) * pw) + g.Padding, g.Width), destination);
                }
            }
        }
    }

    /// <summary>Y′ [F, N·Hp·Wp] → Y [N, F, Ho, Wo] (the valid top-left corner of each padded plane).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Crop<T>(ReadOnlySpan<T> product, Span<T> y, ConvGeometry g, int pw, int plane, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var f = 0; f < g.Filters; f++)
        {
            for (var n = 0; n < g.Batch; n++)
            {
                var source = product.Slice((f * length) + (n * plane), plane);
                var target = y.Slice(((n * g.Filters) + f) * g.Positions, g.Positions);
                for (var row = 0; row < g.OutHeight; row++)
                {
                    source.Slice(row * pw, g.OutWidth).CopyTo(target.Slice(row * g.OutWidth, g.OutWidth));
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Crop{T}"/> into a zeroed Ȳ′.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Uncrop<T>(ReadOnlySpan<T> y, Span<T> product, ConvGeometry g, int pw, int plane, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var f = 0; f < g.Filters; f++)
        {
            for (var n = 0; n < g.Batch; n++)
            {
                var target = product.Slice((f * length) + (n * plane), plane);
                var source = y.Slice(((n * g.Filters) + f) * g.Positions, g.Positions);
                for (var row = 0; row < g.OutHeight; row++)
                {
                    source.Slice(row * g.OutWidth, g.OutWidth).CopyTo(target.Slice(row * pw, g.OutWidth));
                }
            }
        }
    }

    /// <summary>K [F, C, kh, kw] → [kh·kw, F, C].</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void PackKernel<T>(ReadOnlySpan<T> kernel, Span<T> packed, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var taps = g.KernelHeight * g.KernelWidth;
        var fc = g.Filters * g.Channels;
        for (var f = 0; f < g.Filters; f++)
        {
            for (var c = 0; c < g.Channels; c++)
            {
                var source = kernel.Slice(((f * g.Channels) + c) * taps, taps);
                for (var t = 0; t < taps; t++)
                {
                    packed[(t * fc) + (f * g.Channels) + c] = source[t];
                }
            }
        }
    }

    /// <summary>Adds a packed [kh·kw, F, C] gradient into K̄ [F, C, kh, kw].</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void UnpackKernelAdd<T>(ReadOnlySpan<T> packed, Span<T> kernel, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var taps = g.KernelHeight * g.KernelWidth;
        var fc = g.Filters * g.Channels;
        for (var f = 0; f < g.Filters; f++)
        {
            for (var c = 0; c < g.Channels; c++)
            {
                var target = kernel.Slice(((f * g.Channels) + c) * taps, taps);
                for (var t = 0; t < taps; t++)
                {
                    target[t] += packed[(t * fc) + (f * g.Channels) + c];
                }
            }
        }
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

        /// <summary>The same layer for a batch of one (im2col of a single sample).</summary>
        public ConvGeometry Sample => new([1, Channels, Height, Width], [Filters, Channels, KernelHeight, KernelWidth], Stride, Padding);

        public int Positions => OutHeight * OutWidth;

        public int Columns => Batch * Positions;
    }

    /// <summary>One sample: cols[(c·kh + i)·kw + j, oy·Wo + ox] = X[c, oy·s − p + i, ox·s − p + j] (0 outside).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>The adjoint of <see cref="Im2Col{T}"/> for one sample: adds every column entry back to where it came from.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
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
}
