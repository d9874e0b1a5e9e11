using System.Numerics;
using Bilevel.Autodiff;
using Bilevel.Networks;
using Bilevel.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bilevel.Problems.Reviews;

/// <summary>
/// Paper 004's RNN text classifier (§4.2–4.3, App. F.2–F.3: frozen word vectors → 2-layer Elman RNN (tanh) → max over
/// time → linear layer to 2 classes) with its parameters w as one flat vector laid out by <see cref="Layout"/>: the
/// encoder's groups (<see cref="RnnTextEncoder.Layout"/>), then <c>head.weight</c> (2 × H) and <c>head.bias</c> (2).
/// <see cref="Evaluate"/> computes the weighted mean cross entropy (1/|B|) Σ_{r∈B} c_r CE_r(w) over rows B of a
/// <see cref="TokenRows"/> set, its gradient in w, optionally the Hessian-vector product ∇²_ww · v (forward-over-reverse,
/// one pass), and the adjoints ∂/∂c_r and their tangents along v, which give hyper-cleaning's ∂/∂λ_r and cross
/// product. Large batches run in chunks of at most <see cref="ChunkSize"/> rows combined with weights |chunk|/|B|.
/// The paper's code puts a 2-hidden-layer MLP head on the encoder (digest 004 §3.5); the paper's text describes the
/// linear layer used here.
/// </summary>
/// <typeparam name="T">The engine's number type (float for speed, double for checks).</typeparam>
public sealed class RnnClassifier<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Classes = 2;
    private readonly Tensor<T> _table;
    private readonly Graph<T> _first = new(tangents: false);
    private readonly Graph<T> _second = new(tangents: true);
    private readonly T[] _w;
    private readonly T[] _v;
    private readonly T[] _gw;
    private readonly T[] _hw;
    private readonly T[] _c;
    private readonly T[] _gc;
    private readonly T[] _hc;
    private readonly int[] _order;
    private readonly int[] _tokens;
    private readonly int[] _lengths;
    private readonly int[] _labels;
    private readonly int _encoderGroups;
    private readonly Variable<T>[] _encoderParameters;

    /// <summary>A classifier over <paramref name="table"/>'s word vectors (frozen, a graph constant) with hidden size H.</summary>
    /// <param name="table">Word vectors V × D (row 0 = padding).</param>
    /// <param name="hiddenSize">H (paper 004: 4096).</param>
    /// <param name="maxWidth">The longest row any data set passed to <see cref="Evaluate"/> has.</param>
    /// <param name="chunkSize">Rows per graph pass.</param>
    public RnnClassifier(Tensor<T> table, int hiddenSize, int maxWidth, int chunkSize = 256)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        _table = table;
        Encoder = new RnnTextEncoder(table.Shape[1], hiddenSize, layers: 2);
        foreach (var entry in Encoder.Layout.Entries)
        {
            Layout.Add(entry.Name, entry.Shape);
        }

        Layout.Add("head.weight", Classes, hiddenSize);
        Layout.Add("head.bias", Classes);
        _encoderGroups = Encoder.Layout.Entries.Count;
        _encoderParameters = new Variable<T>[_encoderGroups];
        ChunkSize = chunkSize;
        _w = new T[Layout.Size];
        _v = new T[Layout.Size];
        _gw = new T[Layout.Size];
        _hw = new T[Layout.Size];
        _c = new T[chunkSize];
        _gc = new T[chunkSize];
        _hc = new T[chunkSize];
        _order = new int[chunkSize];
        _tokens = new int[checked(chunkSize * maxWidth)];
        _lengths = new int[chunkSize];
        _labels = new int[chunkSize];
        MaxWidth = maxWidth;
    }

    /// <summary>The encoder (x of the hyper-representation problem, part of w here).</summary>
    public RnnTextEncoder Encoder { get; }

    /// <summary>Layout of w: encoder groups, then head.weight and head.bias.</summary>
    public ParameterLayout Layout { get; } = new();

    /// <summary>Length of w.</summary>
    public int Size => Layout.Size;

    public int ChunkSize { get; }

    public int MaxWidth { get; }

    /// <summary>A seeded w: the encoder's PyTorch-default U(±1/√H) (paper 004 F.1–F.2 write U(−1, 1), which saturates the tanh units at every hidden size tried here), the head U(±1/√H), bias 0.</summary>
    public double[] InitialParameters(int seed)
    {
        var values = new double[Size];
        Encoder.Initialize<double>(values.AsSpan(0, Encoder.Layout.Size), seed);
        var bound = 1 / Math.Sqrt(Encoder.HiddenSize);
        var random = new Random(unchecked((seed * 7919) + 17));
        var head = Layout["head.weight"];
        for (var i = 0; i < head.Size; i++)
        {
            values[head.Offset + i] = ((2 * random.NextDouble()) - 1) * bound;
        }

        return values;
    }

    /// <summary>
    /// (1/|B|) Σ_{r∈B} c_r CE_r(w) on rows <paramref name="rows"/> of <paramref name="data"/> (c_r = 1 when
    /// <paramref name="rowWeights"/> is empty; else rowWeights[i] belongs to rows[i]). Outputs (each optional, empty =
    /// not wanted, written not accumulated): the gradient in w; with a direction <paramref name="direction"/>, the HVP
    /// ∇²_ww · v; per row i, ∂/∂c_i and its tangent along v, ∂²/∂c_i∂w · v.
    /// </summary>
    public double Evaluate(TokenRows data, ReadOnlySpan<int> rows, ReadOnlySpan<double> w, ReadOnlySpan<double> rowWeights,
        Span<double> gradient, ReadOnlySpan<double> direction, Span<double> hvp, Span<double> rowAdjoint, Span<double> rowAdjointTangent)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Width > MaxWidth)
        {
            throw new ArgumentException($"rows have width {data.Width}, the classifier was sized for {MaxWidth}", nameof(data));
        }

        var second = !direction.IsEmpty;
        var weighted = !rowWeights.IsEmpty;
        var backward = !gradient.IsEmpty || !hvp.IsEmpty || !rowAdjoint.IsEmpty || !rowAdjointTangent.IsEmpty;
        TensorPrimitives.ConvertTruncating(w, _w.AsSpan());
        if (second)
        {
            TensorPrimitives.ConvertTruncating(direction, _v.AsSpan());
        }

        gradient.Clear();
        hvp.Clear();
        var value = 0.0;
        for (var start = 0; start < rows.Length; start += ChunkSize)
        {
            var n = Math.Min(ChunkSize, rows.Length - start);
            var chunk = rows.Slice(start, n);
            var width = data.Gather(chunk, _order, _tokens, _lengths, _labels);
            var graph = second ? _second : _first;
            graph.Reset();
            if (backward)
            {
                Array.Clear(_gw);
                if (second)
                {
                    Array.Clear(_hw);
                }
            }

            var parameters = Layout.Bind(graph, _w, second ? _v : null, _gw, second ? _hw : null);
            Variable<T>? weights = null;
            if (weighted)
            {
                for (var p = 0; p < n; p++)
                {
                    _c[p] = T.CreateTruncating(rowWeights[start + _order[p]]);
                }

                _gc.AsSpan(0, n).Clear();
                _hc.AsSpan(0, n).Clear();
                weights = graph.Parameter(new Tensor<T>(_c, 0, n), null, new Tensor<T>(_gc, 0, n), second ? new Tensor<T>(_hc, 0, n) : null);
            }

            var logits = Logits(graph, parameters, n, width);
            var loss = graph.SoftmaxCrossEntropy(logits, _labels.AsMemory(0, n), weights);
            var share = n / (double)rows.Length;
            value += share * double.CreateTruncating(loss.Value[0]);
            if (!backward)
            {
                continue;
            }

            graph.Backward(loss);
            AddScaled(_gw, share, gradient);
            AddScaled(_hw, share, hvp);
            for (var p = 0; p < n && weighted; p++)
            {
                var i = start + _order[p];
                if (!rowAdjoint.IsEmpty)
                {
                    rowAdjoint[i] = share * double.CreateTruncating(_gc[p]);
                }

                if (!rowAdjointTangent.IsEmpty)
                {
                    rowAdjointTangent[i] = share * double.CreateTruncating(_hc[p]);
                }
            }
        }

        return value;
    }

    /// <summary>Accuracy and mean cross entropy of w on every row of <paramref name="data"/>.</summary>
    public (double Accuracy, double Loss) Score(TokenRows data, ReadOnlySpan<double> w)
    {
        ArgumentNullException.ThrowIfNull(data);
        TensorPrimitives.ConvertTruncating(w, _w.AsSpan());
        var rows = new int[Math.Min(ChunkSize, data.Count)];
        var correct = 0;
        var loss = 0.0;
        for (var start = 0; start < data.Count; start += ChunkSize)
        {
            var n = Math.Min(ChunkSize, data.Count - start);
            for (var i = 0; i < n; i++)
            {
                rows[i] = start + i;
            }

            var width = data.Gather(rows.AsSpan(0, n), _order, _tokens, _lengths, _labels);
            _first.Reset();
            var parameters = Layout.Bind(_first, _w);
            var logits = Logits(_first, parameters, n, width);
            loss += n * double.CreateTruncating(_first.SoftmaxCrossEntropy(logits, _labels.AsMemory(0, n)).Value[0]);
            var z = logits.Value.Span;
            for (var p = 0; p < n; p++)
            {
                var predicted = z[(p * Classes) + 1] > z[p * Classes] ? 1 : 0;
                correct += predicted == _labels[p] ? 1 : 0;
            }
        }

        return (correct / (double)data.Count, loss / data.Count);
    }

    private Variable<T> Logits(Graph<T> graph, Variable<T>[] parameters, int n, int width)
    {
        for (var i = 0; i < _encoderGroups; i++)
        {
            _encoderParameters[i] = parameters[i];
        }

        var table = graph.Constant(_table);
        var embedded = graph.Embedding(table, _tokens.AsMemory(0, n * width), n, width, _lengths.AsMemory(0, n));
        var features = Encoder.Forward(graph, _encoderParameters, embedded, _lengths.AsMemory(0, n));
        return graph.AddBias(graph.MatMul(features, parameters[_encoderGroups], transposeB: true), parameters[_encoderGroups + 1]);
    }

    private static void AddScaled(ReadOnlySpan<T> source, double scale, Span<double> target)
    {
        if (target.IsEmpty)
        {
            return;
        }

        for (var i = 0; i < target.Length; i++)
        {
            target[i] += scale * double.CreateTruncating(source[i]);
        }
    }
}
