using System.Numerics;
using Bilevel.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bilevel.Autodiff;

public static partial class Operations
{
    /// <summary>
    /// MaxPool2d(Relu(BatchNorm2d(X, γ, β))) in one operation (the ConvNet block's tail), with the same values,
    /// tangents and adjoints as the composition but without its full-size intermediates: per channel, x̂ = (x − μ) r
    /// is stored once, u = γ x̂ + β is formed inside each pooling window, y = max(max u, 0) and the window's argmax
    /// is kept only where max u &gt; 0 (elsewhere the ReLU stops every derivative). So the tangent and the adjoint
    /// of u are non-zero only at those argmax entries (one per window): ẏ = u̇[argmax], and with ū = ȳ, ū̇ = ȳ̇ there,
    /// the batch-norm rules of <see cref="BatchNorm2d{T}"/> reduce to sums over the argmax entries plus one dense
    /// affine pass, x̄ = r (γ ū − mean γū − x̂ mean(γū x̂)), x̄̇ likewise with x̂̇ = r (ẋ − mean ẋ − x̂ mean(x̂ ẋ))
    /// recomputed from ẋ instead of stored.
    /// </summary>
    /// <remarks>
    /// Ties in a window take the first maximum in scan order, as <see cref="MaxPool2d{T}"/> does. Channels are
    /// independent in every rule (their statistics, outputs and adjoints), so the forward and backward passes run one
    /// partition per channel on <see cref="Blas.Threads"/> threads; each channel's sums run in a fixed order on one
    /// thread, so the bits do not depend on the thread count.
    /// </remarks>
    public static Variable<T> BatchNormReluMaxPool2d<T>(this Graph<T> graph, Variable<T> input, Variable<T> scale, Variable<T> shift, int size = 2, double epsilon = 1e-5)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(shift);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (input.Value.Rank != 4 || scale.Value.Size != input.Shape[1] || shift.Value.Size != input.Shape[1])
        {
            throw new ArgumentException($"BatchNormReluMaxPool2d needs [N, C, H, W] with C scales and shifts, got [{string.Join(", ", input.Shape)}], {scale.Value.Size} and {shift.Value.Size}");
        }

        if (input.Shape[2] / size == 0 || input.Shape[3] / size == 0)
        {
            throw new ArgumentException($"BatchNormReluMaxPool2d: a {size}×{size} window does not fit a {input.Shape[2]}×{input.Shape[3]} input");
        }

        var pass = new BatchNormReluMaxPoolPass<T>(graph, input, scale, shift, size, epsilon);
        PartitionPool.Run(pass, pass.Channels, Blas.Threads);
        var result = graph.Result(pass.Output, pass.OutputTangent, input.RequiresGradient || scale.RequiresGradient || shift.RequiresGradient);
        if (result.RequiresGradient)
        {
            pass.Result = result;
            graph.Record(pass.Backward);
        }

        return result;
    }

    private readonly record struct PoolGeometry(int Channels, int Height, int Width, int OutHeight, int OutWidth, int Size);

    /// <summary>
    /// The state of one <see cref="BatchNormReluMaxPool2d{T}"/>: its buffers, and the forward or backward rules of one
    /// channel as a partition.
    /// </summary>
    private sealed class BatchNormReluMaxPoolPass<T> : IPartitionedWork
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Graph<T> _graph;
        private readonly Variable<T> _input;
        private readonly Variable<T> _scale;
        private readonly Variable<T> _shift;
        private readonly int _batch;
        private readonly int _plane;
        private readonly int _outPlane;
        private readonly T _count;
        private readonly T _epsilon;
        private readonly PoolGeometry _geometry;

        // x̂, r per channel, one scratch plane per channel, argmax entries (see PoolAffineRelu).
        private readonly Tensor<T> _normalized;
        private readonly Tensor<T> _rs;
        private readonly Tensor<T> _scratch;
        private readonly int[] _argmax;

        // Per channel mean ẋ and a = mean(x̂ ẋ), when x has a tangent.
        private readonly Tensor<T>? _tangentMeans;
        private readonly Tensor<T>? _dots;
        private bool _backward;
        private bool _overwrite;
        private bool _overwriteTangent;

        public BatchNormReluMaxPoolPass(Graph<T> graph, Variable<T> input, Variable<T> scale, Variable<T> shift, int size, double epsilon)
        {
            _graph = graph;
            _input = input;
            _scale = scale;
            _shift = shift;
            int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
            int oh = h / size, ow = w / size;
            _batch = n;
            Channels = c;
            _plane = h * w;
            _outPlane = oh * ow;
            _count = T.CreateChecked(n * _plane);
            _epsilon = T.CreateChecked(epsilon);
            _geometry = new PoolGeometry(c, h, w, oh, ow, size);
            _normalized = graph.AllocateUninitialized(input.Shape);
            _rs = graph.AllocateUninitialized(c);
            Output = graph.AllocateUninitialized(n, c, oh, ow);
            _argmax = graph.AllocateIndices(Output.Size);
            _scratch = graph.AllocateUninitialized(c, _plane);
            if (graph.HasTangents && (input.Tangent is not null || scale.Tangent is not null || shift.Tangent is not null))
            {
                if (input.Tangent is not null)
                {
                    _tangentMeans = graph.AllocateUninitialized(c);
                    _dots = graph.AllocateUninitialized(c);
                }

                OutputTangent = graph.AllocateUninitialized(Output.Shape);
            }
        }

        public int Channels { get; }

        public Tensor<T> Output { get; }

        public Tensor<T>? OutputTangent { get; }

        /// <summary>The operation's result, set when it records its backward step.</summary>
        public Variable<T>? Result { get; set; }

        public void Run(int partition)
        {
            if (_backward)
            {
                BackwardChannel(partition);
            }
            else
            {
                ForwardChannel(partition);
            }
        }

        /// <summary>The adjoint (and its tangent): gradient buffers are made here, then one partition per channel.</summary>
        public void Backward()
        {
            if (Result?.Gradient is null)
            {
                return;
            }

            if (_scale.RequiresGradient)
            {
                _graph.EnsureGradient(_scale);
            }

            if (_shift.RequiresGradient)
            {
                _graph.EnsureGradient(_shift);
            }

            _overwrite = false;
            _overwriteTangent = false;
            if (_input.RequiresGradient)
            {
                _overwrite = _graph.EnsureGradientForOverwrite(_input, out _overwriteTangent);
            }

            _backward = true;
            try
            {
                PartitionPool.Run(this, Channels, Blas.Threads);
            }
            finally
            {
                _backward = false;
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void ForwardChannel(int ch)
        {
            int n = _batch, c = Channels, plane = _plane, outPlane = _outPlane;
            var m = _count;
            var xs = _input.Value.Span;
            var xh = _normalized.Span;
            var ys = Output.Span;
            var scratch = _scratch.Span.Slice(ch * plane, plane);
            var sum = T.Zero;
            for (var b = 0; b < n; b++)
            {
                sum += TensorPrimitives.Sum(xs.Slice(((b * c) + ch) * plane, plane));
            }

            var mean = sum / m;
            var squares = T.Zero;
            for (var b = 0; b < n; b++)
            {
                var offset = ((b * c) + ch) * plane;
                var segment = xh.Slice(offset, plane);
                TensorPrimitives.Subtract(xs.Slice(offset, plane), mean, segment);
                squares += TensorPrimitives.SumOfSquares<T>(segment);
            }

            var r = T.One / T.Sqrt((squares / m) + _epsilon);
            _rs[ch] = r;
            var gamma = _scale.Value[ch];
            var beta = _shift.Value[ch];
            for (var b = 0; b < n; b++)
            {
                var offset = ((b * c) + ch) * plane;
                var segment = xh.Slice(offset, plane);
                TensorPrimitives.Multiply(segment, r, segment);
                var o = ((b * c) + ch) * outPlane;
                PoolAffineRelu(segment, gamma, beta, scratch, ys.Slice(o, outPlane), _argmax.AsSpan(o, outPlane), offset, _geometry);
            }

            if (OutputTangent is null)
            {
                return;
            }

            // ẏ = u̇ at the active argmax entries.
            var tm = T.Zero;
            var a = T.Zero;
            var xts = _input.Tangent is null ? default : _input.Tangent.Span;
            if (!xts.IsEmpty)
            {
                var tangentSum = T.Zero;
                var dot = T.Zero;
                for (var b = 0; b < n; b++)
                {
                    var offset = ((b * c) + ch) * plane;
                    tangentSum += TensorPrimitives.Sum(xts.Slice(offset, plane));
                    dot += TensorPrimitives.Dot<T>(xh.Slice(offset, plane), xts.Slice(offset, plane));
                }

                tm = tangentSum / m;
                a = dot / m;
                _tangentMeans![ch] = tm;
                _dots![ch] = a;
            }

            var ts = OutputTangent.Span;
            var gammaTangent = _scale.Tangent is null ? T.Zero : _scale.Tangent[ch];
            var betaTangent = _shift.Tangent is null ? T.Zero : _shift.Tangent[ch];
            for (var b = 0; b < n; b++)
            {
                var start = ((b * c) + ch) * outPlane;
                for (var o = start; o < start + outPlane; o++)
                {
                    var (i, mask) = Decode<T>(_argmax[o]);
                    var value = (xh[i] * gammaTangent) + betaTangent;
                    if (!xts.IsEmpty)
                    {
                        value += gamma * (r * (xts[i] - tm - (xh[i] * a)));
                    }

                    ts[o] = mask * value;
                }
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void BackwardChannel(int ch)
        {
            int n = _batch, c = Channels, plane = _plane, outPlane = _outPlane;
            var m = _count;
            var input = _input;
            var scale = _scale;
            var shift = _shift;
            var gy = Result!.Gradient!.Span;
            var gyt = Result.GradientTangent;
            var xh = _normalized.Span;
            var xTangent = input.Tangent;
            var withTangent = gyt is not null || scale.Tangent is not null || xTangent is not null;
            var wantInput = input.RequiresGradient;
            var gx = wantInput ? input.Gradient!.Span : default;
            var gxt = wantInput ? input.GradientTangent : null;
            var gxts = gxt is not null && withTangent ? gxt.Span : default;
            var gyts = gyt is null ? default : gyt.Span;
            var xts = xTangent is null ? default : xTangent.Span;
            var gamma = scale.Value[ch];
            var gammaTangent = scale.Tangent is null ? T.Zero : scale.Tangent[ch];
            var r = _rs[ch];
            var tm = _tangentMeans is null ? T.Zero : _tangentMeans[ch];
            var a = _dots is null ? T.Zero : _dots[ch];

            // Sums over the active argmax entries: Σ ū, Σ ū x̂, Σ ū̇, Σ ū̇ x̂, Σ ū x̂̇.
            T sumU = T.Zero, sumUX = T.Zero, sumUt = T.Zero, sumUtX = T.Zero, sumUXt = T.Zero;
            for (var b = 0; b < n; b++)
            {
                var start = ((b * c) + ch) * outPlane;
                for (var o = start; o < start + outPlane; o++)
                {
                    var (i, mask) = Decode<T>(_argmax[o]);
                    var g = mask * gy[o];
                    sumU += g;
                    sumUX += g * xh[i];
                    if (!gyts.IsEmpty)
                    {
                        var gt = mask * gyts[o];
                        sumUt += gt;
                        sumUtX += gt * xh[i];
                    }

                    if (!xts.IsEmpty)
                    {
                        sumUXt += g * (r * (xts[i] - tm - (xh[i] * a)));
                    }
                }
            }

            if (scale.RequiresGradient)
            {
                scale.Gradient![ch] += sumUX;
                if (scale.GradientTangent is not null)
                {
                    scale.GradientTangent[ch] += sumUtX + sumUXt;
                }
            }

            if (shift.RequiresGradient)
            {
                shift.Gradient![ch] += sumU;
                if (shift.GradientTangent is not null)
                {
                    shift.GradientTangent[ch] += sumUt;
                }
            }

            if (!wantInput)
            {
                return;
            }

            // x̄ = c0 + c1 x̂ + r γ ū (ū at the argmax entries only).
            var meanG = gamma * sumU / m;
            var meanGX = gamma * sumUX / m;
            var c0 = -(r * meanG);
            var c1 = -(r * meanGX);
            var sparse = r * gamma;

            // x̄̇ = −r a x̄ + r (γ̇ ū + γ ū̇ − mean ḡ̇ − x̂̇ mean(ḡ x̂) − x̂ mean(ḡ̇ x̂ + ḡ x̂̇)), x̂̇ = r (ẋ − mean ẋ − a x̂):
            // d0 + d1 x̂ + d2 ẋ + (r γ̇ − r² a γ) ū + r γ ū̇.
            var meanGt = ((gammaTangent * sumU) + (gamma * sumUt)) / m;
            var meanSecond = ((gammaTangent * sumUX) + (gamma * sumUtX) + (gamma * sumUXt)) / m;
            var d0 = -(r * a * c0) - (r * meanGt) + (r * r * meanGX * tm);
            var d1 = -(r * a * c1) + (r * r * meanGX * a) - (r * meanSecond);
            var d2 = -(r * r * meanGX);
            var sparseU = (r * gammaTangent) - (r * r * a * gamma);
            var sparseUt = r * gamma;
            for (var b = 0; b < n; b++)
            {
                var offset = ((b * c) + ch) * plane;
                var xhat = xh.Slice(offset, plane);
                var target = gx.Slice(offset, plane);
                AffineInto(xhat, c0, c1, target, !_overwrite);
                if (gxt is not null && withTangent)
                {
                    var targetTangent = gxt.Span.Slice(offset, plane);
                    if (xTangent is not null)
                    {
                        Affine2Into(xhat, xTangent.Span.Slice(offset, plane), d0, d1, d2, targetTangent, !_overwriteTangent);
                    }
                    else
                    {
                        AffineInto(xhat, d0, d1, targetTangent, !_overwriteTangent);
                    }
                }
                else if (gxt is not null && _overwriteTangent)
                {
                    gxt.Span.Slice(offset, plane).Clear();
                }

                var start = ((b * c) + ch) * outPlane;
                for (var o = start; o < start + outPlane; o++)
                {
                    var (i, mask) = Decode<T>(_argmax[o]);
                    var g = mask * gy[o];
                    gx[i] += sparse * g;
                    if (!gxts.IsEmpty)
                    {
                        var value = sparseU * g;
                        if (!gyts.IsEmpty)
                        {
                            value += sparseUt * mask * gyts[o];
                        }

                        gxts[i] += value;
                    }
                }
            }
        }
    }

    /// <summary>
    /// One plane: u = γ x̂ + β into <paramref name="u"/> (SIMD), then y[o] = max(max over the window of u, 0) and
    /// argmax[o] = base + index of the window's first maximum, complemented (~) where that maximum is not positive.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void PoolAffineRelu<T>(ReadOnlySpan<T> xhat, T gamma, T beta, Span<T> u, Span<T> y, Span<int> argmax, int baseIndex, PoolGeometry p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Multiply(xhat, gamma, u);
        TensorPrimitives.Add(u, beta, u);
        var w = p.Width;
        var half = T.CreateTruncating(0.5);
        var o = 0;
        for (var oy = 0; oy < p.OutHeight; oy++)
        {
            for (var ox = 0; ox < p.OutWidth; ox++)
            {
                int index;
                if (p.Size == 2)
                {
                    // First maximum in scan order: row 0 left, right, then row 1 left, right. Branch-free (the
                    // comparisons become 0/1 integers, not jumps), as in MaxPool2x2.
                    var top = 2 * oy * w;
                    var j = top + (2 * ox);
                    var upper = j + (u[j + 1] > u[j] ? 1 : 0);
                    var lower = j + w + (u[j + w + 1] > u[j + w] ? 1 : 0);
                    var second = u[lower] > u[upper] ? 1 : 0;
                    index = upper + (second * (lower - upper));
                }
                else
                {
                    index = (oy * p.Size * w) + (ox * p.Size);
                    for (var i = 0; i < p.Size; i++)
                    {
                        var rowStart = (((oy * p.Size) + i) * w) + (ox * p.Size);
                        for (var j = 0; j < p.Size; j++)
                        {
                            if (u[rowStart + j] > u[index])
                            {
                                index = rowStart + j;
                            }
                        }
                    }
                }

                // ReLU without a branch: (v + |v|)/2 is v for v > 0 and +0 otherwise, exactly.
                var value = u[index];
                var active = value > T.Zero ? 1 : 0;
                y[o] = (value + T.Abs(value)) * half;
                argmax[o] = (baseIndex + index) ^ (active - 1);
                o++;
            }
        }
    }


    /// <summary>
    /// An argmax entry as (index, 1) when the window is active, (index, 0) when not (stored complemented): branch-free,
    /// since active and inactive windows alternate unpredictably. A masked entry still reads its in-window index, so
    /// a NaN adjoint propagates as it does through ReLU's 0 · ȳ.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static (int Index, T Mask) Decode<T>(int entry)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var sign = entry >> 31;
        return (entry ^ sign, T.CreateTruncating(sign + 1));
    }

    /// <summary>target = c0 + c1 x (+ target when accumulating), SIMD.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void AffineInto<T>(ReadOnlySpan<T> x, T c0, T c1, Span<T> target, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var v0 = new Vector<T>(c0);
            var v1 = new Vector<T>(c1);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var value = v0 + (v1 * new Vector<T>(x[i..]));
                if (accumulate)
                {
                    value += new Vector<T>(target[i..]);
                }

                value.CopyTo(target[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            var value = c0 + (c1 * x[i]);
            target[i] = accumulate ? target[i] + value : value;
        }
    }

    /// <summary>target = d0 + d1 x + d2 z (+ target when accumulating), SIMD.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Affine2Into<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> z, T d0, T d1, T d2, Span<T> target, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            var v0 = new Vector<T>(d0);
            var v1 = new Vector<T>(d1);
            var v2 = new Vector<T>(d2);
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var value = v0 + (v1 * new Vector<T>(x[i..])) + (v2 * new Vector<T>(z[i..]));
                if (accumulate)
                {
                    value += new Vector<T>(target[i..]);
                }

                value.CopyTo(target[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            var value = d0 + (d1 * x[i]) + (d2 * z[i]);
            target[i] = accumulate ? target[i] + value : value;
        }
    }
}
