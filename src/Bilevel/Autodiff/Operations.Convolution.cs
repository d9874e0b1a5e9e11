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
    /// With a <paramref name="bias"/> b [F], Y[n, f] += b_f (as <see cref="AddBias{T}"/> on axis 1, without its own
    /// pass over Y): Ẏ[n, f] += ḃ_f, b̄_f = Σ Ȳ[·, f], b̄̇_f = Σ Ȳ̇[·, f].
    /// </summary>
    public static Variable<T> Conv2d<T>(this Graph<T> graph, Variable<T> input, Variable<T> kernel, int stride = 1, int padding = 0, Variable<T>? bias = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(kernel);
        if (input.Value.Rank != 4 || kernel.Value.Rank != 4 || input.Shape[1] != kernel.Shape[1])
        {
            throw new ArgumentException($"Conv2d needs input [N, C, H, W] and kernel [F, C, kh, kw] with equal C, got [{string.Join(", ", input.Shape)}] and [{string.Join(", ", kernel.Shape)}]");
        }

        if (bias is not null && (bias.Value.Rank != 1 || bias.Value.Size != kernel.Shape[0]))
        {
            throw new ArgumentException($"Conv2d: bias has shape [{string.Join(", ", bias.Shape)}], expected [{kernel.Shape[0]}]", nameof(bias));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        var g = new ConvGeometry(input.Shape, kernel.Shape, stride, padding);
        if (stride == 1 && g.Channels >= ShiftedMinimumChannels)
        {
            return ShiftedConv2d(graph, input, kernel, bias, g);
        }

        return PerSampleConv2d(graph, input, kernel, bias, g);
    }

    /// <summary>
    /// The im2col path, one sample at a time so the patch matrix cols(Xₙ) [C·kh·kw, Ho·Wo] stays in cache and Yₙ is
    /// written in place in NCHW: Yₙ = K·cols(Xₙ). Backward recomputes cols(Xₙ): K̄ += Ȳₙ cols(Xₙ)ᵀ,
    /// X̄ₙ += col2im(Kᵀ Ȳₙ), and the tangents as in <see cref="Conv2d{T}"/>.
    /// </summary>
    /// <remarks>
    /// The samples are cut into a fixed number of ranges (<see cref="PerSampleConvolution{T}"/>), each with its own
    /// patch buffer and its own partial K̄ and b̄, added in range order, so the bits do not depend on the thread count.
    /// When the patch is short (≤ <see cref="ShortGemm.MaximumShort"/> entries: the first layer on images) the products
    /// run on <see cref="ShortGemm"/> and the ranges on <see cref="Blas.Threads"/> threads; otherwise on OpenBLAS, one
    /// range after the other. X̄ (only needed when the input is not data) always runs serially on OpenBLAS.
    /// </remarks>
    private static Variable<T> PerSampleConv2d<T>(Graph<T> graph, Variable<T> input, Variable<T> kernel, Variable<T>? bias, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var work = new PerSampleConvolution<T>(graph, input, kernel, bias, g);
        work.Forward();
        var result = graph.Result(work.Output, work.OutputTangent, input.RequiresGradient || kernel.RequiresGradient || (bias?.RequiresGradient ?? false));
        if (result.RequiresGradient)
        {
            work.Result = result;
            graph.Record(work.Backward);
        }

        return result;
    }

    /// <summary>The state of one <see cref="PerSampleConv2d{T}"/>; partition r is a fixed range of samples.</summary>
    private sealed class PerSampleConvolution<T> : IPartitionedWork
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>Sample ranges per pass: a constant, so partial sums never depend on the thread count.</summary>
        private const int Ranges = 8;

        private readonly Graph<T> _graph;
        private readonly Variable<T> _input;
        private readonly Variable<T> _kernel;
        private readonly Variable<T>? _bias;
        private readonly Tensor<T>? _biasTangent;
        private readonly ConvGeometry _g;
        private readonly ConvGeometry _one;
        private readonly int _ranges;
        private readonly int _sampleIn;
        private readonly int _sampleOut;
        private readonly Tensor<T> _columns;
        private Tensor<T>? _kernelPartial;
        private Tensor<T>? _kernelTangentPartial;
        private Tensor<T>? _biasPartial;
        private Tensor<T>? _biasTangentPartial;
        private bool _backward;

        public PerSampleConvolution(Graph<T> graph, Variable<T> input, Variable<T> kernel, Variable<T>? bias, ConvGeometry g)
        {
            _graph = graph;
            _input = input;
            _kernel = kernel;
            _bias = bias;
            _g = g;
            _one = g.Sample;
            _ranges = Math.Min(Ranges, g.Batch);
            _sampleIn = g.Channels * g.Height * g.Width;
            _sampleOut = g.Filters * g.Positions;
            _columns = graph.AllocateUninitialized(_ranges, g.Patch, g.Positions);
            Output = graph.AllocateUninitialized(g.Batch, g.Filters, g.OutHeight, g.OutWidth);
            _biasTangent = graph.HasTangents ? bias?.Tangent : null;
            if (graph.HasTangents && (input.Tangent is not null || kernel.Tangent is not null || _biasTangent is not null))
            {
                OutputTangent = graph.AllocateUninitialized(Output.Shape);
            }
        }

        public Tensor<T> Output { get; }

        public Tensor<T>? OutputTangent { get; }

        /// <summary>The operation's result, set when it records its backward step.</summary>
        public Variable<T>? Result { get; set; }

        private bool Short => _g.Patch <= ShortGemm.MaximumShort;

        private int Threads => Short ? Blas.Threads : 1;

        public void Forward() => PartitionPool.Run(this, _ranges, Threads);

        public void Run(int partition)
        {
            var from = partition * _g.Batch / _ranges;
            var to = (partition + 1) * _g.Batch / _ranges;
            var columns = _columns.Span.Slice(partition * _g.Patch * _g.Positions, _g.Patch * _g.Positions);
            for (var n = from; n < to; n++)
            {
                if (_backward)
                {
                    BackwardSample(n, partition, columns);
                }
                else
                {
                    ForwardSample(n, columns);
                }
            }
        }

        public void Backward()
        {
            var result = Result!;
            if (result.Gradient is null)
            {
                return;
            }

            var g = _g;
            var kernel = _kernel;
            var input = _input;
            var bias = _bias;
            var gyt = result.GradientTangent;
            if (kernel.RequiresGradient)
            {
                _graph.EnsureGradient(kernel);
                _kernelPartial = _graph.Allocate(_ranges, g.Filters, g.Patch);
                var wantTangent = kernel.GradientTangent is not null && (gyt is not null || input.Tangent is not null);
                _kernelTangentPartial = wantTangent ? _graph.Allocate(_ranges, g.Filters, g.Patch) : null;
            }

            if (bias is not null && bias.RequiresGradient)
            {
                _graph.EnsureGradient(bias);
                _biasPartial = _graph.Allocate(_ranges, g.Filters);
                _biasTangentPartial = bias.GradientTangent is not null && gyt is not null ? _graph.Allocate(_ranges, g.Filters) : null;
            }

            if (_kernelPartial is not null || _biasPartial is not null)
            {
                _backward = true;
                try
                {
                    PartitionPool.Run(this, _ranges, Threads);
                }
                finally
                {
                    _backward = false;
                }

                AddRanges(_kernelPartial, kernel.Gradient);
                AddRanges(_kernelTangentPartial, kernel.GradientTangent);
                AddRanges(_biasPartial, bias?.Gradient);
                AddRanges(_biasTangentPartial, bias?.GradientTangent);
            }

            if (input.RequiresGradient)
            {
                InputGradient(result.Gradient.Span, gyt);
            }
        }

        private void ForwardSample(int n, Span<T> columns)
        {
            var g = _g;
            var y = Output.Span.Slice(n * _sampleOut, _sampleOut);
            Im2Col(_input.Value.Span.Slice(n * _sampleIn, _sampleIn), columns, _one);
            Product(_kernel.Value.Span, columns, y, accumulate: false);
            if (_bias is not null)
            {
                Broadcast(y, _bias.Value.Span, y, 1, g.Filters, g.Positions);
            }

            if (OutputTangent is null)
            {
                return;
            }

            // Ẏₙ = K̇ cols(Xₙ) + K cols(Ẋₙ) + ḃ; columns still hold cols(Xₙ).
            var target = OutputTangent.Span.Slice(n * _sampleOut, _sampleOut);
            var accumulate = false;
            if (_kernel.Tangent is not null)
            {
                Product(_kernel.Tangent.Span, columns, target, accumulate: false);
                accumulate = true;
            }

            if (_input.Tangent is not null)
            {
                Im2Col(_input.Tangent.Span.Slice(n * _sampleIn, _sampleIn), columns, _one);
                Product(_kernel.Value.Span, columns, target, accumulate);
                accumulate = true;
            }

            if (!accumulate)
            {
                target.Clear();
            }

            if (_biasTangent is not null)
            {
                Broadcast(target, _biasTangent.Span, target, 1, g.Filters, g.Positions);
            }
        }

        private void BackwardSample(int n, int range, Span<T> columns)
        {
            var g = _g;
            var gyn = Result!.Gradient!.Span.Slice(n * _sampleOut, _sampleOut);
            var gytn = Result.GradientTangent is null ? default : Result.GradientTangent.Span.Slice(n * _sampleOut, _sampleOut);
            if (_kernelPartial is not null)
            {
                var partial = _kernelPartial.Span.Slice(range * g.Filters * g.Patch, g.Filters * g.Patch);
                Im2Col(_input.Value.Span.Slice(n * _sampleIn, _sampleIn), columns, _one);
                KernelGradient(gyn, columns, partial);
                if (_kernelTangentPartial is not null)
                {
                    // K̄̇ += Ȳ̇ₙ cols(Xₙ)ᵀ + Ȳₙ cols(Ẋₙ)ᵀ.
                    var tangentPartial = _kernelTangentPartial.Span.Slice(range * g.Filters * g.Patch, g.Filters * g.Patch);
                    if (!gytn.IsEmpty)
                    {
                        KernelGradient(gytn, columns, tangentPartial);
                    }

                    if (_input.Tangent is not null)
                    {
                        Im2Col(_input.Tangent.Span.Slice(n * _sampleIn, _sampleIn), columns, _one);
                        KernelGradient(gyn, columns, tangentPartial);
                    }
                }
            }

            if (_biasPartial is not null)
            {
                SumInto(gyn, _biasPartial.Span.Slice(range * g.Filters, g.Filters), 1, g.Filters, g.Positions);
                if (_biasTangentPartial is not null)
                {
                    SumInto(gytn, _biasTangentPartial.Span.Slice(range * g.Filters, g.Filters), 1, g.Filters, g.Positions);
                }
            }
        }

        /// <summary>X̄ₙ += col2im(Kᵀ Ȳₙ) and X̄̇ₙ += col2im(Kᵀ Ȳ̇ₙ + K̇ᵀ Ȳₙ), sample by sample on OpenBLAS.</summary>
        private void InputGradient(ReadOnlySpan<T> gy, Tensor<T>? gyt)
        {
            var g = _g;
            var kernel = _kernel;
            var input = _input;
            _graph.EnsureGradient(input);
            var inputTangentGradient = input.GradientTangent;
            var columnGradient = _graph.AllocateUninitialized(g.Patch, g.Positions);
            for (var n = 0; n < g.Batch; n++)
            {
                var gyn = gy.Slice(n * _sampleOut, _sampleOut);
                Blas.Gemm(true, false, g.Patch, g.Positions, g.Filters, T.One, kernel.Value.Span, g.Patch, gyn, g.Positions, T.Zero, columnGradient.Span, g.Positions);
                Col2Im(columnGradient.Span, input.Gradient!.Span.Slice(n * _sampleIn, _sampleIn), _one);
                if (inputTangentGradient is not null && (gyt is not null || kernel.Tangent is not null))
                {
                    var beta = T.Zero;
                    if (gyt is not null)
                    {
                        Blas.Gemm(true, false, g.Patch, g.Positions, g.Filters, T.One, kernel.Value.Span, g.Patch, gyt.Span.Slice(n * _sampleOut, _sampleOut), g.Positions, T.Zero, columnGradient.Span, g.Positions);
                        beta = T.One;
                    }

                    if (kernel.Tangent is not null)
                    {
                        Blas.Gemm(true, false, g.Patch, g.Positions, g.Filters, T.One, kernel.Tangent.Span, g.Patch, gyn, g.Positions, beta, columnGradient.Span, g.Positions);
                    }

                    Col2Im(columnGradient.Span, inputTangentGradient.Span.Slice(n * _sampleIn, _sampleIn), _one);
                }
            }
        }

        /// <summary>Yₙ (+)= K · cols(Xₙ).</summary>
        private void Product(ReadOnlySpan<T> kernel, ReadOnlySpan<T> columns, Span<T> target, bool accumulate)
        {
            var g = _g;
            if (Short)
            {
                ShortGemm.Multiply(g.Filters, g.Positions, g.Patch, kernel, columns, target, accumulate);
            }
            else
            {
                Blas.Gemm(false, false, g.Filters, g.Positions, g.Patch, T.One, kernel, g.Patch, columns, g.Positions, accumulate ? T.One : T.Zero, target, g.Positions);
            }
        }

        /// <summary>K̄ += Ȳₙ cols(Xₙ)ᵀ.</summary>
        private void KernelGradient(ReadOnlySpan<T> gradient, ReadOnlySpan<T> columns, Span<T> kernelGradient)
        {
            var g = _g;
            if (Short)
            {
                ShortGemm.MultiplyAddTransposed(g.Filters, g.Positions, g.Patch, gradient, columns, kernelGradient);
            }
            else
            {
                Blas.Gemm(false, true, g.Filters, g.Patch, g.Positions, T.One, gradient, g.Positions, columns, g.Positions, T.One, kernelGradient, g.Patch);
            }
        }

        /// <summary>target += Σ_r partial_r, in range order.</summary>
        private void AddRanges(Tensor<T>? partials, Tensor<T>? target)
        {
            if (partials is null || target is null)
            {
                return;
            }

            var size = target.Size;
            for (var r = 0; r < _ranges; r++)
            {
                TensorPrimitives.Add(target.Span, partials.Span.Slice(r * size, size), target.Span);
            }
        }
    }

    /// <summary>
    /// Stride-1 convolutions with at least this many input channels use the tap-GEMM path; below it the inner
    /// dimension C of each tap's product is too short for OpenBLAS (measured: at C = 4 the per-tap products were
    /// 1.4–1.5× slower than one product over the whole patch), so those layers take the per-sample im2col path.
    /// </summary>
    internal const int ShiftedMinimumChannels = 16;

    /// <summary>
    /// Stride-1 convolution on the zero-padded grid without a patch matrix. With the batch laid out channel-major,
    /// Xp [C, N·Hp·Wp], the input of tap (i, j) for output column q is Xp[·, q + i·Wp + j], so the tap's input matrix
    /// is Xp itself shifted by i·Wp + j columns (row stride unchanged), and Y′ = Σ_(i,j) K_ij · shift_ij(Xp) is kh·kw
    /// GEMMs with inner dimension C that read Xp in place (OpenBLAS's own packing is the only copy), with
    /// K_ij [F, C] the kernel rearranged tap-major. The valid outputs are the top-left Ho × Wo corner of each padded
    /// plane. Adjoints: K̄_ij += Ȳ′ shift_ij(Xp)ᵀ (one GEMM per tap over all columns, inner dimension N·Hp·Wp), and
    /// shift_ij(X̄p) += K_ijᵀ Ȳ′ (Ȳ′ zero off the valid corners), accumulated in place in X̄p; tangents as in
    /// <see cref="Conv2d{T}"/>. It trades (Hp·Wp)/(Ho·Wo) more multiply-adds for no copies and no border handling.
    /// </summary>
    /// <remarks>
    /// Measured on a 2-vCPU Zen 1 (OpenBLAS sgemm, 2 threads) for the ConvNet's second block (C = F = 64, 14×14,
    /// batch 256): forward 117–137 → 65–68 ms, K̄ 133–135 → 81–84 ms, X̄ 135 → 64–68 ms against the previous
    /// gathered-patch path (C·kh·kw contiguous copies per block of columns, then one GEMM with inner dimension C·kh·kw).
    /// </remarks>
    private static Variable<T> ShiftedConv2d<T>(Graph<T> graph, Variable<T> input, Variable<T> kernel, Variable<T>? bias, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Neighbouring rows and planes share their zero borders: a row is p zeros then W values (the right border of
        // a row is the left border of the next) and a plane is p zero rows then H rows (its bottom border is the next
        // plane's top border), so Hp = H + p and Wp = W + p. That holds while the kernel overhangs by at most p on
        // each side (p ≤ kh − 1 and p ≤ kw − 1); otherwise both borders are stored.
        var shared = g.Padding <= g.KernelHeight - 1 && g.Padding <= g.KernelWidth - 1;
        var pw = g.Width + (shared ? g.Padding : 2 * g.Padding);
        var ph = g.Height + (shared ? g.Padding : 2 * g.Padding);
        var plane = ph * pw;
        var length = g.Batch * plane;
        var slack = ((g.KernelHeight - 1) * pw) + (g.KernelWidth - 1);
        var stride = length + slack;
        var taps = g.KernelHeight * g.KernelWidth;
        var geometry = new PaddedGeometry(g, pw, length, stride, TapChunk<T>(Math.Max(g.Channels, g.Filters), length));

        var padded = graph.AllocateUninitialized(g.Channels, stride);
        Pad(input.Value.Span, padded.Span, g, pw, plane, stride);
        Tensor<T>? paddedTangent = null;
        if (graph.HasTangents && input.Tangent is not null)
        {
            paddedTangent = graph.AllocateUninitialized(g.Channels, stride);
            Pad(input.Tangent.Span, paddedTangent.Span, g, pw, plane, stride);
        }

        var tapKernel = graph.AllocateUninitialized(taps, g.Filters, g.Channels);
        ToTapMajor(kernel.Value.Span, tapKernel.Span, g);
        Tensor<T>? tapKernelTangent = null;
        if (graph.HasTangents && kernel.Tangent is not null)
        {
            tapKernelTangent = graph.AllocateUninitialized(taps, g.Filters, g.Channels);
            ToTapMajor(kernel.Tangent.Span, tapKernelTangent.Span, g);
        }

        var product = graph.AllocateUninitialized(g.Filters, length);
        var biasTangent = graph.HasTangents ? bias?.Tangent : null;
        var withTangent = graph.HasTangents && (paddedTangent is not null || tapKernelTangent is not null || biasTangent is not null);
        var tangentProduct = withTangent ? graph.AllocateUninitialized(g.Filters, length) : null;
        TapForward(tapKernel.Span, padded.Span, product.Span, geometry, accumulate: false);
        if (tangentProduct is not null)
        {
            // Ẏ′ = K̇ ⊛ Xp + K ⊛ Ẋp.
            var accumulate = false;
            if (tapKernelTangent is not null)
            {
                TapForward(tapKernelTangent.Span, padded.Span, tangentProduct.Span, geometry, accumulate: false);
                accumulate = true;
            }

            if (paddedTangent is not null)
            {
                TapForward(tapKernel.Span, paddedTangent.Span, tangentProduct.Span, geometry, accumulate);
                accumulate = true;
            }

            if (!accumulate)
            {
                // Only the bias has a tangent.
                tangentProduct.Span.Clear();
            }
        }

        var y = graph.AllocateUninitialized(g.Batch, g.Filters, g.OutHeight, g.OutWidth);
        Crop(product.Span, y.Span, bias is null ? default : bias.Value.Span, g, pw, plane, length);
        Tensor<T>? tangent = null;
        if (tangentProduct is not null)
        {
            tangent = graph.AllocateUninitialized(y.Shape);
            Crop(tangentProduct.Span, tangent.Span, biasTangent is null ? default : biasTangent.Span, g, pw, plane, length);
        }

        var result = graph.Result(y, tangent, input.RequiresGradient || kernel.RequiresGradient || (bias?.RequiresGradient ?? false));
        if (result.RequiresGradient)
        {
            graph.Record(() =>
            {
                if (result.Gradient is null)
                {
                    return;
                }

                // Ȳ′ and Ȳ̇′ on the padded grid, zero off the valid corners (product buffers are free again).
                var gradient = product;
                Uncrop(result.Gradient.Span, gradient.Span, g, pw, plane, length);
                Tensor<T>? gradientTangent = null;
                if (result.GradientTangent is not null)
                {
                    gradientTangent = tangentProduct ?? graph.AllocateUninitialized(g.Filters, length);
                    Uncrop(result.GradientTangent.Span, gradientTangent.Span, g, pw, plane, length);
                }

                if (bias is not null && bias.RequiresGradient)
                {
                    // Ȳ′ is zero off the valid corners, so its row sums are Σ Ȳ[·, f].
                    graph.EnsureGradient(bias);
                    SumInto(gradient.Span, bias.Gradient!.Span, 1, g.Filters, length);
                    if (bias.GradientTangent is not null && gradientTangent is not null)
                    {
                        SumInto(gradientTangent.Span, bias.GradientTangent.Span, 1, g.Filters, length);
                    }
                }

                if (kernel.RequiresGradient)
                {
                    graph.EnsureGradient(kernel);
                    var tapGradient = graph.Allocate(taps, g.Filters, g.Channels);
                    TapKernelGradient(gradient.Span, padded.Span, tapGradient.Span, geometry);
                    AddFromTapMajor(tapGradient.Span, kernel.Gradient!.Span, g);
                    if (kernel.GradientTangent is not null && (gradientTangent is not null || paddedTangent is not null))
                    {
                        // K̄̇ += Ȳ̇′ ⊛ Xp + Ȳ′ ⊛ Ẋp.
                        tapGradient.Span.Clear();
                        if (gradientTangent is not null)
                        {
                            TapKernelGradient(gradientTangent.Span, padded.Span, tapGradient.Span, geometry);
                        }

                        if (paddedTangent is not null)
                        {
                            TapKernelGradient(gradient.Span, paddedTangent.Span, tapGradient.Span, geometry);
                        }

                        AddFromTapMajor(tapGradient.Span, kernel.GradientTangent.Span, g);
                    }
                }

                if (input.RequiresGradient)
                {
                    graph.EnsureGradient(input);
                    var wantTangent = input.GradientTangent is not null && (gradientTangent is not null || tapKernelTangent is not null);

                    // Xp and Ẋp are no longer needed once K̄ is done: they hold X̄p and X̄̇p.
                    var paddedGradient = padded;
                    paddedGradient.Span.Clear();
                    TapInputGradient(tapKernel.Span, gradient.Span, paddedGradient.Span, geometry);
                    UnpadAdd(paddedGradient.Span, input.Gradient!.Span, g, pw, plane, stride);
                    if (wantTangent)
                    {
                        // X̄̇p += Kᵀ ⊛ Ȳ̇′ + K̇ᵀ ⊛ Ȳ′.
                        var paddedGradientTangent = paddedTangent ?? graph.AllocateUninitialized(g.Channels, stride);
                        paddedGradientTangent.Span.Clear();
                        if (gradientTangent is not null)
                        {
                            TapInputGradient(tapKernel.Span, gradientTangent.Span, paddedGradientTangent.Span, geometry);
                        }

                        if (tapKernelTangent is not null)
                        {
                            TapInputGradient(tapKernelTangent.Span, gradient.Span, paddedGradientTangent.Span, geometry);
                        }

                        UnpadAdd(paddedGradientTangent.Span, input.GradientTangent!.Span, g, pw, plane, stride);
                    }
                }
            });
        }

        return result;
    }

    /// <summary>
    /// Columns per block in the forward and input-adjoint products: each tap's C × columns input view and the
    /// F × columns output block are about 1 MiB each (measured best at 2048–4096 float columns for C = F = 64).
    /// </summary>
    private static int TapChunk<T>(int rows, int length)
        where T : unmanaged
    {
        var columns = (1 << 20) / (rows * System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        columns = Math.Max(256, columns & ~15);
        return Math.Min(columns, length);
    }

    /// <summary>The padded grid: row width Wp, N·Hp·Wp columns, row stride of Xp, and the column block of the products.</summary>
    private readonly record struct PaddedGeometry(ConvGeometry Conv, int PaddedWidth, int Length, int Stride, int Chunk)
    {
        /// <summary>Where tap (i, j) = (tap / kw, tap mod kw) reads in a row of Xp: i·Wp + j.</summary>
        public int Offset(int tap) => ((tap / Conv.KernelWidth) * PaddedWidth) + (tap % Conv.KernelWidth);
    }

    /// <summary>K [F, C, kh, kw] → K_tap [kh·kw, F, C].</summary>
    private static void ToTapMajor<T>(ReadOnlySpan<T> kernel, Span<T> tapMajor, ConvGeometry g)
        where T : unmanaged
    {
        var taps = g.KernelHeight * g.KernelWidth;
        var fc = g.Filters * g.Channels;
        for (var fcIndex = 0; fcIndex < fc; fcIndex++)
        {
            var source = kernel.Slice(fcIndex * taps, taps);
            for (var tap = 0; tap < taps; tap++)
            {
                tapMajor[(tap * fc) + fcIndex] = source[tap];
            }
        }
    }

    /// <summary>The adjoint of <see cref="ToTapMajor{T}"/>: K̄ [F, C, kh, kw] += K̄_tap [kh·kw, F, C].</summary>
    private static void AddFromTapMajor<T>(ReadOnlySpan<T> tapMajor, Span<T> kernel, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var taps = g.KernelHeight * g.KernelWidth;
        var fc = g.Filters * g.Channels;
        for (var fcIndex = 0; fcIndex < fc; fcIndex++)
        {
            var target = kernel.Slice(fcIndex * taps, taps);
            for (var tap = 0; tap < taps; tap++)
            {
                target[tap] += tapMajor[(tap * fc) + fcIndex];
            }
        }
    }

    /// <summary>Y′ (+)= Σ_tap K_tap · shift_tap(Xp), one block of columns at a time.</summary>
    private static void TapForward<T>(ReadOnlySpan<T> tapKernel, ReadOnlySpan<T> padded, Span<T> product, PaddedGeometry p, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = p.Conv;
        var taps = g.KernelHeight * g.KernelWidth;
        var fc = g.Filters * g.Channels;
        for (var start = 0; start < p.Length; start += p.Chunk)
        {
            var width = Math.Min(p.Chunk, p.Length - start);
            for (var tap = 0; tap < taps; tap++)
            {
                var beta = accumulate || tap > 0 ? T.One : T.Zero;
                Blas.Gemm(false, false, g.Filters, width, g.Channels, T.One, tapKernel.Slice(tap * fc, fc), g.Channels,
                    padded[(start + p.Offset(tap))..], p.Stride, beta, product[start..], p.Length);
            }
        }
    }

    /// <summary>K̄_tap += Ȳ′ shift_tap(Xp)ᵀ over all columns (the inner dimension is N·Hp·Wp, so no blocking is needed).</summary>
    private static void TapKernelGradient<T>(ReadOnlySpan<T> gradient, ReadOnlySpan<T> padded, Span<T> tapGradient, PaddedGeometry p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = p.Conv;
        var taps = g.KernelHeight * g.KernelWidth;
        var fc = g.Filters * g.Channels;
        for (var tap = 0; tap < taps; tap++)
        {
            Blas.Gemm(false, true, g.Filters, g.Channels, p.Length, T.One, gradient, p.Length, padded[p.Offset(tap)..], p.Stride,
                T.One, tapGradient.Slice(tap * fc, fc), g.Channels);
        }
    }

    /// <summary>shift_tap(X̄p) += K_tapᵀ Ȳ′, one block of columns at a time, accumulated in place.</summary>
    private static void TapInputGradient<T>(ReadOnlySpan<T> tapKernel, ReadOnlySpan<T> gradient, Span<T> paddedGradient, PaddedGeometry p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = p.Conv;
        var taps = g.KernelHeight * g.KernelWidth;
        var fc = g.Filters * g.Channels;
        for (var start = 0; start < p.Length; start += p.Chunk)
        {
            var width = Math.Min(p.Chunk, p.Length - start);
            for (var tap = 0; tap < taps; tap++)
            {
                Blas.Gemm(true, false, g.Channels, width, g.Filters, T.One, tapKernel.Slice(tap * fc, fc), g.Channels,
                    gradient[start..], p.Length, T.One, paddedGradient[(start + p.Offset(tap))..], p.Stride);
            }
        }
    }

    /// <summary>
    /// X [N, C, H, W] → Xp [C, stride] with plane n at n·Hp·Wp, interior at (p, p): writes every entry (borders and
    /// the slack after the last plane as zeros), so Xp needs no clearing first.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Pad<T>(ReadOnlySpan<T> x, Span<T> padded, ConvGeometry g, int pw, int plane, int stride)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var length = g.Batch * plane;
        var interiorEnd = (g.Padding + g.Height) * pw;
        for (var c = 0; c < g.Channels; c++)
        {
            padded.Slice((c * stride) + length, stride - length).Clear();
        }

        for (var n = 0; n < g.Batch; n++)
        {
            for (var c = 0; c < g.Channels; c++)
            {
                var source = x.Slice(((n * g.Channels) + c) * g.Height * g.Width, g.Height * g.Width);
                var target = padded.Slice((c * stride) + (n * plane), plane);
                target[..(g.Padding * pw)].Clear();
                for (var row = 0; row < g.Height; row++)
                {
                    var line = target.Slice((row + g.Padding) * pw, pw);
                    line[..g.Padding].Clear();
                    source.Slice(row * g.Width, g.Width).CopyTo(line.Slice(g.Padding, g.Width));
                    line[(g.Padding + g.Width)..].Clear();
                }

                target[interiorEnd..].Clear();
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

    /// <summary>
    /// Y′ [F, N·Hp·Wp] → Y [N, F, Ho, Wo] (the valid top-left corner of each padded plane), plus the bias b_f when
    /// one is given.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Crop<T>(ReadOnlySpan<T> product, Span<T> y, ReadOnlySpan<T> bias, ConvGeometry g, int pw, int plane, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var f = 0; f < g.Filters; f++)
        {
            var b = bias.IsEmpty ? T.Zero : bias[f];
            for (var n = 0; n < g.Batch; n++)
            {
                var source = product.Slice((f * length) + (n * plane), plane);
                var target = y.Slice(((n * g.Filters) + f) * g.Positions, g.Positions);
                for (var row = 0; row < g.OutHeight; row++)
                {
                    var line = source.Slice(row * pw, g.OutWidth);
                    var destination = target.Slice(row * g.OutWidth, g.OutWidth);
                    if (bias.IsEmpty)
                    {
                        line.CopyTo(destination);
                    }
                    else
                    {
                        TensorPrimitives.Add(line, b, destination);
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Crop{T}"/>: writes all of Ȳ′, zero off the valid corners.</summary>
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
                    target.Slice((row * pw) + g.OutWidth, pw - g.OutWidth).Clear();
                }

                target[(g.OutHeight * pw)..].Clear();
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
