using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Bilevel.Data.Text;
using Bilevel.Tensors;

namespace Bilevel.Problems.Newsgroups;

/// <summary>What one <see cref="SparseSoftmaxRegression.Evaluate"/> call returns.</summary>
/// <param name="Loss">Mean cross-entropy over the batch rows (0 when the row pass did not run).</param>
/// <param name="Accuracy">Fraction of batch rows whose argmax logit is the label (0 when the row pass did not run).</param>
/// <param name="Penalty">(1/(cp)) Σⱼ exp(λⱼ) Σₖ wⱼₖ² when asked for, else 0.</param>
internal readonly record struct SparseSoftmaxResult(double Loss, double Accuracy, double Penalty);

/// <summary>
/// Closed-form oracles of multinomial logistic regression on sparse CSR rows with an optional per-feature L2 penalty,
/// the model of paper 002's 20 Newsgroups experiment: rows xᵢ ∈ R^p, labels yᵢ ∈ [0, c), weights W ∈ R^{p×c} stored
/// <b>feature-major</b> (row-major p × c: the c class weights of feature j are contiguous at j·c), logits zᵢ = xᵢ W.
/// Over a batch B of b rows with pᵢ = softmax(zᵢ), L(W) = (1/b) Σᵢ CE(zᵢ, yᵢ), ∇W L = (1/b) Σᵢ xᵢᵀ (pᵢ − e_{yᵢ}) and,
/// along V, ∇²W L · V = (1/b) Σᵢ xᵢᵀ ṗᵢ with żᵢ = xᵢ V and ṗᵢ = pᵢ ⊙ (żᵢ − pᵢ·żᵢ). The penalty
/// R(λ, W) = Σⱼ dⱼ Σₖ wⱼₖ² with dⱼ = exp(λⱼ)/(cp) adds 2dⱼ wⱼₖ to the gradient, 2dⱼ vⱼₖ to the HVP, and has
/// ∇λ R = dⱼ Σₖ wⱼₖ² and ∇²λW R · V = 2dⱼ Σₖ wⱼₖ vⱼₖ.
/// </summary>
/// <remarks>
/// <para>
/// Two passes, each cut into a fixed number of partitions that depends only on the batch size (rows) or on p
/// (features), run on <see cref="Threads"/> threads through <see cref="PartitionPool"/>. The row pass gathers the
/// weight rows of each sparse row's features into its logits (and tangents), and writes its residual row
/// pᵢ − e_{yᵢ} (and ṗᵢ) to a b × c buffer; the partitions' losses are added in partition order. The feature pass
/// computes every output row j of the gradient/HVP from the column j of the batch's Xᵀ (entries in batch order) and
/// the penalty terms, so each output entry is written by exactly one partition in a fixed order: the results are
/// bit-identical for any thread count, and there is no per-thread p × c accumulator to reduce. For the full batch the
/// transpose is built once; for a mini-batch it is built per call by a counting sort (O(nnz_B + p)).
/// </para>
/// <para>
/// No dense n × p matrix is formed; buffers grow to the largest batch and are reused, so a steady-state call does not
/// allocate. Everything is float64.
/// </para>
/// </remarks>
internal sealed unsafe class SparseSoftmaxRegression : IPartitionedWork
{
    /// <summary>Rows per row-pass partition (before the cap).</summary>
    public const int PartitionRows = 128;

    /// <summary>The most row-pass partitions.</summary>
    public const int MaxRowPartitions = 32;

    /// <summary>Features per feature-pass partition (before the cap).</summary>
    public const int PartitionFeatures = 512;

    /// <summary>The most feature-pass partitions.</summary>
    public const int MaxFeaturePartitions = 64;

    private readonly int[] _rowPointers;
    private readonly int[] _columns;
    private readonly double[] _values;
    private readonly int[] _labels;
    private readonly int _n;
    private readonly int _p;
    private readonly int _c;

    // Xᵀ of all rows (entry rows are row indices = batch positions of the full batch).
    private readonly int[] _fullPointers;
    private readonly int[] _fullRows;
    private readonly double[] _fullValues;

    // Xᵀ of the current mini-batch (entry rows are batch positions).
    private readonly int[] _batchPointers;
    private int[] _batchRows = [];
    private double[] _batchValues = [];

    private readonly double[] _rowLoss = new double[MaxRowPartitions];
    private readonly int[] _rowCorrect = new int[MaxRowPartitions];
    private readonly double[] _featurePenalty = new double[MaxFeaturePartitions];
    private readonly double[][] _scratch = new double[MaxRowPartitions][];
    private int[] _rows = [];
    private double[] _residual = [];
    private double[] _tangent = [];

    // The job of the current call (pointers are valid only inside Evaluate).
    private bool _rowPass;
    private bool _all;
    private int _batch;
    private int _perPartition;
    private bool _wantResidual;
    private bool _wantTangent;
    private bool _wantPenalty;
    private double _inverseB;
    private double _penaltyScale;
    private int[] _tPointers = [];
    private int[] _tRows = [];
    private double[] _tValues = [];
    private double* _w;
    private double* _v;
    private double* _lambda;
    private double* _gradient;
    private double* _hvp;
    private double* _penaltyGradient;
    private double* _penaltyCross;

    /// <summary>Rows of <paramref name="features"/> (n × p CSR) with labels in [0, <paramref name="classes"/>).</summary>
    public SparseSoftmaxRegression(SparseMatrix features, int[] labels, int classes)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (labels.Length != features.Rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {features.Rows} rows", nameof(labels));
        }

        foreach (var label in labels)
        {
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentException($"label {label} is outside the {classes} classes", nameof(labels));
            }
        }

        _rowPointers = features.RowPointers;
        _columns = features.ColumnIndices;
        _values = features.Values;
        _labels = labels;
        _n = features.Rows;
        _p = features.Columns;
        _c = classes;
        var transpose = features.Transpose();
        _fullPointers = transpose.RowPointers;
        _fullRows = transpose.ColumnIndices;
        _fullValues = transpose.Values;
        _batchPointers = new int[_p + 1];
        for (var q = 0; q < MaxRowPartitions; q++)
        {
            _scratch[q] = new double[3 * classes];
        }
    }

    /// <summary>n.</summary>
    public int Count => _n;

    /// <summary>p.</summary>
    public int FeatureCount => _p;

    /// <summary>c.</summary>
    public int Classes => _c;

    /// <summary>Threads the passes run on (at least 1).</summary>
    public int Threads
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            field = value;
        }
    } = 1;

    /// <summary>Row-pass partitions of a batch of <paramref name="rows"/> rows (a function of the size alone).</summary>
    public static int RowPartitions(int rows) => Math.Clamp((rows + PartitionRows - 1) / PartitionRows, 1, MaxRowPartitions);

    /// <summary>Feature-pass partitions for <paramref name="features"/> features.</summary>
    public static int FeaturePartitions(int features) => Math.Clamp((features + PartitionFeatures - 1) / PartitionFeatures, 1, MaxFeaturePartitions);

    /// <summary>
    /// One evaluation on the batch rows <paramref name="rows"/> (all rows when empty; repeats allowed). The row pass runs
    /// when <paramref name="loss"/> is set or the gradient or HVP is wanted. Where the spans are not empty it writes
    /// ∇W L (+ 2dⱼ wⱼ when <paramref name="lambda"/> is given) into <paramref name="gradient"/>, ∇²W L · V
    /// (+ 2dⱼ vⱼ) into <paramref name="hvp"/>, ∇λ R into <paramref name="penaltyGradient"/> and ∇²λW R · V into
    /// <paramref name="penaltyCross"/>; <paramref name="penalty"/> asks for R's value. <paramref name="lambda"/> empty
    /// means no penalty. Outputs are overwritten; spans have the right lengths (checked by the caller).
    /// </summary>
    public SparseSoftmaxResult Evaluate(ReadOnlySpan<int> rows, ReadOnlySpan<double> w, ReadOnlySpan<double> v, ReadOnlySpan<double> lambda,
        Span<double> gradient, Span<double> hvp, Span<double> penaltyGradient, Span<double> penaltyCross, bool loss, bool penalty)
    {
        var b = rows.IsEmpty ? _n : rows.Length;
        var hasPenalty = !lambda.IsEmpty;
        _all = rows.IsEmpty;
        _batch = b;
        _wantResidual = !gradient.IsEmpty;
        _wantTangent = !hvp.IsEmpty;
        _wantPenalty = hasPenalty && penalty;
        _inverseB = b == 0 ? 0 : 1.0 / b;
        _penaltyScale = 1.0 / ((double)_c * _p);
        var rowPass = b > 0 && (loss || _wantResidual || _wantTangent);
        var featurePass = _wantResidual || _wantTangent || (hasPenalty && (penalty || !penaltyGradient.IsEmpty || !penaltyCross.IsEmpty));
        var result = default(SparseSoftmaxResult);
        fixed (double* pw = w, pv = v, pl = lambda, pg = gradient, ph = hvp, ppg = penaltyGradient, ppc = penaltyCross)
        {
            _w = pw;
            _v = pv;
            _lambda = hasPenalty ? pl : null;
            _gradient = _wantResidual ? pg : null;
            _hvp = _wantTangent ? ph : null;
            _penaltyGradient = hasPenalty && !penaltyGradient.IsEmpty ? ppg : null;
            _penaltyCross = hasPenalty && !penaltyCross.IsEmpty ? ppc : null;
            try
            {
                if (rowPass)
                {
                    if (!_all)
                    {
                        Ensure(ref _rows, b);
                        rows.CopyTo(_rows);
                    }

                    if (_wantResidual)
                    {
                        Ensure(ref _residual, b * _c);
                    }

                    if (_wantTangent)
                    {
                        Ensure(ref _tangent, b * _c);
                    }

                    var partitions = RowPartitions(b);
                    _perPartition = (b + partitions - 1) / partitions;
                    _rowPass = true;
                    PartitionPool.Run(this, partitions, Threads);
                    var sum = 0.0;
                    var correct = 0;
                    for (var q = 0; q < partitions; q++)
                    {
                        sum += _rowLoss[q];
                        correct += _rowCorrect[q];
                    }

                    result = result with { Loss = sum * _inverseB, Accuracy = correct * _inverseB };
                }

                if (featurePass)
                {
                    if (_wantResidual || _wantTangent)
                    {
                        SelectTranspose();
                    }

                    var partitions = FeaturePartitions(_p);
                    _perPartition = (_p + partitions - 1) / partitions;
                    _rowPass = false;
                    PartitionPool.Run(this, partitions, Threads);
                    if (_wantPenalty)
                    {
                        var sum = 0.0;
                        for (var q = 0; q < partitions; q++)
                        {
                            sum += _featurePenalty[q];
                        }

                        result = result with { Penalty = sum };
                    }
                }
            }
            finally
            {
                _w = _v = _lambda = _gradient = _hvp = _penaltyGradient = _penaltyCross = null;
            }
        }

        return result;
    }

    /// <summary>Runs one partition of the current pass.</summary>
    public void Run(int partition)
    {
        if (_rowPass)
        {
            RunRows(partition);
        }
        else
        {
            RunFeatures(partition);
        }
    }

    /// <summary>Logits (and tangents) of batch positions [q·per, (q+1)·per), their loss, hits and residual rows.</summary>
    private void RunRows(int partition)
    {
        var c = _c;
        var start = partition * _perPartition;
        var end = Math.Min(_batch, start + _perPartition);
        var loss = 0.0;
        var correct = 0;
        fixed (double* scratch = _scratch[partition], residualBase = _residual, tangentBase = _tangent, values = _values)
        fixed (int* columns = _columns)
        {
            var z = scratch;
            var zDot = scratch + c;
            var e = scratch + (2 * c);
            for (var i = start; i < end; i++)
            {
                var row = _all ? i : _rows[i];
                new Span<double>(z, 2 * c).Clear();
                for (var k = _rowPointers[row]; k < _rowPointers[row + 1]; k++)
                {
                    var offset = (nint)columns[k] * c;
                    Axpy(values[k], _w + offset, z, c);
                    if (_wantTangent)
                    {
                        Axpy(values[k], _v + offset, zDot, c);
                    }
                }

                var label = _labels[row];
                var best = 0;
                for (var k = 1; k < c; k++)
                {
                    if (z[k] > z[best])
                    {
                        best = k;
                    }
                }

                var max = z[best];
                var sum = 0.0;
                for (var k = 0; k < c; k++)
                {
                    e[k] = Math.Exp(z[k] - max);
                    sum += e[k];
                }

                loss += max + Math.Log(sum) - z[label];
                correct += best == label ? 1 : 0;
                var inverse = 1 / sum;
                if (_wantResidual)
                {
                    var r = residualBase + ((nint)i * c);
                    for (var k = 0; k < c; k++)
                    {
                        r[k] = e[k] * inverse;
                    }

                    r[label] -= 1;
                }

                if (_wantTangent)
                {
                    var dot = 0.0;
                    for (var k = 0; k < c; k++)
                    {
                        dot += e[k] * inverse * zDot[k];
                    }

                    var t = tangentBase + ((nint)i * c);
                    for (var k = 0; k < c; k++)
                    {
                        t[k] = e[k] * inverse * (zDot[k] - dot);
                    }
                }
            }
        }

        _rowLoss[partition] = loss;
        _rowCorrect[partition] = correct;
    }

    /// <summary>Output rows j ∈ [q·per, (q+1)·per): data terms from column j of the batch's Xᵀ, then the penalty terms.</summary>
    private void RunFeatures(int partition)
    {
        var c = _c;
        var start = partition * _perPartition;
        var end = Math.Min(_p, start + _perPartition);
        var penalty = 0.0;
        var data = _wantResidual || _wantTangent;
        fixed (double* residual = _residual, tangent = _tangent, tValues = _tValues)
        fixed (int* tPointers = _tPointers, tRows = _tRows)
        {
            for (var j = start; j < end; j++)
            {
                var offset = (nint)j * c;
                var g = _gradient + offset;
                var h = _hvp + offset;
                if (data)
                {
                    if (_wantResidual)
                    {
                        new Span<double>(g, c).Clear();
                    }

                    if (_wantTangent)
                    {
                        new Span<double>(h, c).Clear();
                    }

                    for (var k = tPointers[j]; k < tPointers[j + 1]; k++)
                    {
                        var source = (nint)tRows[k] * c;
                        if (_wantResidual)
                        {
                            Axpy(tValues[k], residual + source, g, c);
                        }

                        if (_wantTangent)
                        {
                            Axpy(tValues[k], tangent + source, h, c);
                        }
                    }

                    if (_wantResidual)
                    {
                        Scale(_inverseB, g, c);
                    }

                    if (_wantTangent)
                    {
                        Scale(_inverseB, h, c);
                    }
                }

                if (_lambda == null)
                {
                    continue;
                }

                var d = _penaltyScale * Math.Exp(_lambda[j]);
                var wj = _w + offset;
                if (_wantResidual)
                {
                    Axpy(2 * d, wj, g, c);
                }

                if (_wantTangent)
                {
                    Axpy(2 * d, _v + offset, h, c);
                }

                if (_wantPenalty || _penaltyGradient != null)
                {
                    var squares = 0.0;
                    for (var k = 0; k < c; k++)
                    {
                        squares += wj[k] * wj[k];
                    }

                    penalty += d * squares;
                    if (_penaltyGradient != null)
                    {
                        _penaltyGradient[j] = d * squares;
                    }
                }

                if (_penaltyCross != null)
                {
                    var vj = _v + offset;
                    var dot = 0.0;
                    for (var k = 0; k < c; k++)
                    {
                        dot += wj[k] * vj[k];
                    }

                    _penaltyCross[j] = 2 * d * dot;
                }
            }
        }

        _featurePenalty[partition] = penalty;
    }

    /// <summary>Points the feature pass at Xᵀ of the current batch: the stored one, or a counting sort of the batch rows.</summary>
    private void SelectTranspose()
    {
        if (_all)
        {
            (_tPointers, _tRows, _tValues) = (_fullPointers, _fullRows, _fullValues);
            return;
        }

        var pointers = _batchPointers;
        Array.Clear(pointers);
        var nnz = 0;
        for (var r = 0; r < _batch; r++)
        {
            var row = _rows[r];
            for (var k = _rowPointers[row]; k < _rowPointers[row + 1]; k++)
            {
                pointers[_columns[k] + 1]++;
            }

            nnz += _rowPointers[row + 1] - _rowPointers[row];
        }

        for (var j = 0; j < _p; j++)
        {
            pointers[j + 1] += pointers[j];
        }

        Ensure(ref _batchRows, nnz);
        Ensure(ref _batchValues, nnz);

        // Fill in batch order, using pointers[j] as the next free slot of column j; afterwards pointers[j] is the end
        // of column j, i.e. the start of column j + 1, so shifting by one restores the starts.
        for (var r = 0; r < _batch; r++)
        {
            var row = _rows[r];
            for (var k = _rowPointers[row]; k < _rowPointers[row + 1]; k++)
            {
                var at = pointers[_columns[k]]++;
                _batchRows[at] = r;
                _batchValues[at] = _values[k];
            }
        }

        for (var j = _p; j > 0; j--)
        {
            pointers[j] = pointers[j - 1];
        }

        pointers[0] = 0;
        (_tPointers, _tRows, _tValues) = (pointers, _batchRows, _batchValues);
    }

    /// <summary>y += a·x over <paramref name="count"/> entries (multiply then add, no fused multiply-add: the same bits everywhere).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(double a, double* x, double* y, int count)
    {
        var k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            for (; k <= count - 4; k += 4)
            {
                Vector256.Store(Vector256.Load(y + k) + (va * Vector256.Load(x + k)), y + k);
            }
        }

        for (; k < count; k++)
        {
            y[k] += a * x[k];
        }
    }

    private static void Scale(double a, double* x, int count)
    {
        for (var k = 0; k < count; k++)
        {
            x[k] *= a;
        }
    }

    private static void Ensure<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[length];
        }
    }
}
