using System.Numerics.Tensors;
using Bilevel.Tensors;

namespace Bilevel.Problems.HyperCleaning;

/// <summary>
/// The float32 oracles of <see cref="WeightedSoftmaxRegression{T}"/> in one fused pass per block of rows: logits
/// (and tangents) of <see cref="BlockRows"/> rows with <see cref="SoftmaxKernels.Logits"/>, their softmax residuals
/// in float, then Rᵀ X of the same rows with <see cref="SoftmaxKernels.Accumulate"/> while they are in cache. Rows are
/// read through the batch's index list (no gather copy). The batch is cut into a fixed number of partitions that
/// depends only on its size; each has its own partial sums, added in partition order at the end, so the result does
/// not depend on the thread count. Partitions run on <see cref="Blas.Threads"/> threads (<see cref="PartitionPool"/>).
/// No allocation once the buffers have grown to the largest batch.
/// </summary>
internal sealed unsafe class FusedSoftmaxEvaluator : IPartitionedWork
{
    /// <summary>Rows per fused block (logits, residuals and Rᵀ X of these rows in turn).</summary>
    public const int BlockRows = 32;

    private const int PartitionRows = 256;
    private const int MaxPartitions = 16;
    private const int Group = SoftmaxKernels.Group;

    private readonly float[] _features;
    private readonly int[] _labels;
    private readonly int _d;
    private readonly int _c;
    private readonly double[] _loss = new double[MaxPartitions];
    private readonly Scratch[] _scratch = new Scratch[MaxPartitions];
    private float[] _w = [];
    private int[] _rows = [];
    private float[] _s = [];
    private double[] _ce = [];
    private double[] _cross = [];

    // The job of the current call.
    private int _batch;
    private bool _all;
    private bool _weighted;
    private bool _second;
    private bool _wantGradient;
    private bool _wantHvp;
    private bool _wantCe;
    private bool _wantCross;
    private int _zStride;
    private int _gStride;
    private int _hvpOffset;
    private int _perPartition;

    public FusedSoftmaxEvaluator(float[] features, int[] labels, int featureCount, int classes)
    {
        _features = features;
        _labels = labels;
        _d = featureCount;
        _c = classes;
        for (var p = 0; p < MaxPartitions; p++)
        {
            _scratch[p] = new Scratch();
        }
    }

    /// <summary>The partitions of a batch of <paramref name="rows"/> rows (a function of the size alone).</summary>
    public static int Partitions(int rows) => Math.Clamp((rows + PartitionRows - 1) / PartitionRows, 1, MaxPartitions);

    /// <summary>As <see cref="WeightedSoftmaxRegression{T}.Evaluate"/>.</summary>
    public double Evaluate(ReadOnlySpan<int> rows, ReadOnlySpan<double> sampleWeights, ReadOnlySpan<double> w, ReadOnlySpan<double> v,
        Span<double> gradient, Span<double> weightGradient, Span<double> hvp, Span<double> weightCross)
    {
        int d = _d, c = _c;
        var b = rows.IsEmpty ? _labels.Length : rows.Length;
        _batch = b;
        _all = rows.IsEmpty;
        if (!_all)
        {
            Ensure(ref _rows, b);
            rows.CopyTo(_rows);
        }

        _weighted = !sampleWeights.IsEmpty;
        if (_weighted)
        {
            Ensure(ref _s, b);
            TensorPrimitives.ConvertTruncating(sampleWeights[..b], _s.AsSpan(0, b));
        }

        _wantGradient = !gradient.IsEmpty;
        _wantHvp = !hvp.IsEmpty;
        _wantCe = !weightGradient.IsEmpty;
        _wantCross = !weightCross.IsEmpty;
        _second = _wantHvp || _wantCross;
        _zStride = Pad(_second ? 2 * c : c);
        var residualColumns = (_wantGradient ? c : 0) + (_wantHvp ? c : 0);
        _gStride = Pad(residualColumns);
        _hvpOffset = _wantGradient ? c : 0;

        // [W; V] in float, zero rows up to a multiple of the register block.
        Ensure(ref _w, _zStride * d);
        var stacked = _w.AsSpan(0, _zStride * d);
        TensorPrimitives.ConvertTruncating(w, stacked[..(c * d)]);
        var filled = c * d;
        if (_second)
        {
            TensorPrimitives.ConvertTruncating(v, stacked.Slice(c * d, c * d));
            filled += c * d;
        }

        stacked[filled..].Clear();
        if (_wantCe)
        {
            Ensure(ref _ce, b);
        }

        if (_wantCross)
        {
            Ensure(ref _cross, b);
        }

        var partitions = Partitions(b);
        _perPartition = (b + partitions - 1) / partitions;
        for (var p = 0; p < partitions; p++)
        {
            _scratch[p].Ensure(_zStride, c, _gStride, d, _perPartition);
        }

        PartitionPool.Run(this, partitions, Blas.Threads);

        var inverseB = 1.0 / b;
        var loss = 0.0;
        for (var p = 0; p < partitions; p++)
        {
            loss += _loss[p];
        }

        if (_gStride > 0)
        {
            var total = _scratch[0].Gradient.AsSpan(0, _gStride * d);
            for (var p = 1; p < partitions; p++)
            {
                TensorPrimitives.Add(total, _scratch[p].Gradient.AsSpan(0, _gStride * d), total);
            }

            if (_wantGradient)
            {
                Widen(total[..(c * d)], inverseB, gradient);
            }

            if (_wantHvp)
            {
                Widen(total.Slice(_hvpOffset * d, c * d), inverseB, hvp);
            }
        }

        if (_wantCe)
        {
            TensorPrimitives.Multiply(_ce.AsSpan(0, b), inverseB, weightGradient[..b]);
        }

        if (_wantCross)
        {
            TensorPrimitives.Multiply(_cross.AsSpan(0, b), inverseB, weightCross[..b]);
        }

        return loss * inverseB;
    }

    /// <summary>Rows [p·per, min(b, (p+1)·per)) of the batch, block by block.</summary>
    public void Run(int partition)
    {
        int d = _d, c = _c;
        var start = partition * _perPartition;
        var end = Math.Min(_batch, start + _perPartition);
        var scratch = _scratch[partition];
        var gradient = scratch.Gradient.AsSpan(0, _gStride * d);
        gradient.Clear();
        var loss = 0.0;
        fixed (float* x = _features, w = _w, z = scratch.Logits, res = scratch.Residual, g = scratch.Gradient)
        fixed (nint* rowPointers = scratch.Rows)
        {
            var pointers = (float**)rowPointers;
            for (var i = start; i < end; i++)
            {
                pointers[i - start] = x + ((nint)(_all ? i : _rows[i]) * d);
            }

            for (var block = start; block < end; block += BlockRows)
            {
                var m = Math.Min(BlockRows, end - block);
                var at = pointers + (block - start);
                SoftmaxKernels.Logits(at, m, end - block, w, d, _zStride / Group, z, _zStride);
                loss += Residuals(scratch, block, m);
                if (_gStride > 0)
                {
                    SoftmaxKernels.Accumulate(at, m, res, _gStride, d, _gStride / Group, g);
                }
            }
        }

        _loss[partition] = loss;
    }

    /// <summary>Softmax of the block's logits in float; writes residual rows and per-row outputs; returns Σ sᵢ CEᵢ.</summary>
    private double Residuals(Scratch scratch, int block, int m)
    {
        int c = _c, zs = _zStride, gs = _gStride;
        var z = scratch.Logits.AsSpan(0, m * zs);
        var e = scratch.Exponentials.AsSpan(0, m * c);
        var max = scratch.Max.AsSpan(0, m);
        for (var i = 0; i < m; i++)
        {
            var logits = z.Slice(i * zs, c);
            var top = TensorPrimitives.Max(logits);
            max[i] = top;
            TensorPrimitives.Subtract(logits, top, e.Slice(i * c, c));
        }

        TensorPrimitives.Exp(e, e);
        var loss = 0.0;
        var r = scratch.Residual.AsSpan(0, m * gs);
        for (var i = 0; i < m; i++)
        {
            var position = block + i;
            var label = _labels[_all ? position : _rows[position]];
            var s = _weighted ? _s[position] : 1f;
            var logits = z.Slice(i * zs, zs);
            var exps = e.Slice(i * c, c);
            var sum = TensorPrimitives.Sum<float>(exps);
            var inverse = 1 / sum;
            var ce = max[i] + MathF.Log(sum) - logits[label];
            loss += (double)s * ce;
            if (_wantCe)
            {
                _ce[position] = ce;
            }

            var residual = r.Slice(i * gs, gs);
            var dotPz = 0f;
            if (_second)
            {
                for (var k = 0; k < c; k++)
                {
                    dotPz += exps[k] * inverse * logits[c + k];
                }
            }

            var cross = 0f;
            for (var k = 0; k < c; k++)
            {
                var p = exps[k] * inverse;
                var pMinusY = k == label ? p - 1 : p;
                if (_wantGradient)
                {
                    residual[k] = s * pMinusY;
                }

                if (_second)
                {
                    var zDot = logits[c + k];
                    cross += pMinusY * zDot;
                    if (_wantHvp)
                    {
                        residual[_hvpOffset + k] = s * p * (zDot - dotPz);
                    }
                }
            }

            var used = (_wantGradient ? c : 0) + (_wantHvp ? c : 0);
            residual[used..].Clear();
            if (_wantCross)
            {
                _cross[position] = cross;
            }
        }

        return loss;
    }

    private static void Widen(ReadOnlySpan<float> source, double scale, Span<double> target)
    {
        TensorPrimitives.ConvertTruncating(source, target);
        TensorPrimitives.Multiply(target, scale, target);
    }

    private static int Pad(int columns) => (columns + Group - 1) / Group * Group;

    private static void Ensure<TElement>(ref TElement[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new TElement[length];
        }
    }

    /// <summary>One partition's buffers.</summary>
    private sealed class Scratch
    {
        public float[] Logits = [];
        public float[] Exponentials = [];
        public float[] Max = new float[BlockRows];
        public float[] Residual = [];
        public float[] Gradient = [];
        public nint[] Rows = [];

        public void Ensure(int zStride, int classes, int gStride, int d, int rows)
        {
            FusedSoftmaxEvaluator.Ensure(ref Rows, rows);
            FusedSoftmaxEvaluator.Ensure(ref Logits, Math.Max(1, BlockRows * zStride));
            FusedSoftmaxEvaluator.Ensure(ref Exponentials, BlockRows * classes);
            FusedSoftmaxEvaluator.Ensure(ref Residual, Math.Max(1, BlockRows * gStride));
            FusedSoftmaxEvaluator.Ensure(ref Gradient, Math.Max(1, gStride * d));
        }
    }
}
