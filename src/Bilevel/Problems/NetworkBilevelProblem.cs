using System.Numerics;
using System.Numerics.Tensors;
using Bilevel.Autodiff;

namespace Bilevel.Problems;

/// <summary>
/// A bilevel problem whose objectives are engine graphs (networks): derive and build the upper loss f and the lower
/// loss g on a <see cref="Graph{T}"/> from the bound parameter groups of x and y and the batch. The oracles follow:
/// values by one forward pass, gradients by one reverse pass, and ∇²yy g·v with ∇²xy g·v by one forward-over-reverse
/// pass with direction (0, v) (Pearlmutter's R-operator). Computation runs in <typeparamref name="T"/> (float32 for
/// speed, float64 for checks); x, y and the outputs are float64 flat vectors laid out by
/// <see cref="UpperLayout"/> and <see cref="LowerLayout"/>.
/// </summary>
/// <remarks>
/// Large batches (the full data set included) run in chunks of at most <see cref="ChunkSize"/> rows and are combined
/// with weights |chunk|/|batch|, which is exact when each loss is a mean over its rows plus terms that do not depend
/// on the rows (regularizers): derived losses must have that form.
/// </remarks>
/// <typeparam name="T">The engine's number type.</typeparam>
public abstract class NetworkBilevelProblem<T> : BilevelProblem
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Graph<T> _firstOrder = new(tangents: false);
    private readonly Graph<T> _secondOrder = new(tangents: true);
    private readonly T[] _x;
    private readonly T[] _y;
    private readonly T[] _v;
    private readonly T[] _gx;
    private readonly T[] _gy;
    private readonly T[] _cross;
    private readonly T[] _hvp;
    private readonly int[] _upperRows;
    private readonly int[] _lowerRows;

    protected NetworkBilevelProblem(ParameterLayout upper, ParameterLayout lower, int upperSampleCount, int lowerSampleCount, int chunkSize = 512)
        : base(Size(upper), Size(lower), upperSampleCount, lowerSampleCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        ChunkSize = chunkSize;
        _upperRows = [.. Enumerable.Range(0, upperSampleCount)];
        _lowerRows = [.. Enumerable.Range(0, lowerSampleCount)];
        UpperLayout = upper;
        LowerLayout = lower;
        _x = new T[upper.Size];
        _gx = new T[upper.Size];
        _cross = new T[upper.Size];
        _y = new T[lower.Size];
        _v = new T[lower.Size];
        _gy = new T[lower.Size];
        _hvp = new T[lower.Size];
    }

    /// <summary>How x is split into named parameter groups.</summary>
    public ParameterLayout UpperLayout { get; }

    /// <summary>How y is split into named parameter groups.</summary>
    public ParameterLayout LowerLayout { get; }

    /// <summary>The most rows one graph pass holds.</summary>
    public int ChunkSize { get; }

    /// <summary>Builds f(x, y) as a mean over the given upper-level sample rows (plus row-independent terms).</summary>
    protected abstract Variable<T> UpperLoss(Graph<T> graph, Variable<T>[] x, Variable<T>[] y, ReadOnlySpan<int> rows);

    /// <summary>Builds g(x, y) as a mean over the given lower-level sample rows (plus row-independent terms).</summary>
    protected abstract Variable<T> LowerLoss(Graph<T> graph, Variable<T>[] x, Variable<T>[] y, ReadOnlySpan<int> rows);

    protected sealed override double UpperValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        FirstOrder(upper: true, x, y, [], [], Rows(batch, _upperRows), withGradients: false);

    protected sealed override double LowerValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        FirstOrder(upper: false, x, y, [], [], Rows(batch, _lowerRows), withGradients: false);

    protected sealed override void UpperGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch) =>
        FirstOrder(upper: true, x, y, gradientX, gradientY, Rows(batch, _upperRows), withGradients: true);

    protected sealed override void LowerGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch) =>
        FirstOrder(upper: false, x, y, gradientX, gradientY, Rows(batch, _lowerRows), withGradients: true);

    protected sealed override void LowerSecondOrderCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch)
    {
        var rows = Rows(batch, _lowerRows);
        Narrow(x, _x);
        Narrow(y, _y);
        Narrow(v, _v);
        hvp.Clear();
        crossProduct.Clear();
        for (var start = 0; start < rows.Length; start += ChunkSize)
        {
            var chunk = rows.Slice(start, Math.Min(ChunkSize, rows.Length - start));
            Array.Clear(_gx);
            Array.Clear(_gy);
            Array.Clear(_cross);
            Array.Clear(_hvp);
            var graph = _secondOrder;
            graph.Reset();
            var xs = UpperLayout.Bind(graph, _x, null, _gx, _cross);
            var ys = LowerLayout.Bind(graph, _y, _v, _gy, _hvp);
            graph.Backward(LowerLoss(graph, xs, ys, chunk));
            var weight = chunk.Length / (double)rows.Length;
            AddWidened(_hvp, weight, hvp);
            AddWidened(_cross, weight, crossProduct);
        }
    }

    private double FirstOrder(bool upper, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY,
        ReadOnlySpan<int> rows, bool withGradients)
    {
        Narrow(x, _x);
        Narrow(y, _y);
        gradientX.Clear();
        gradientY.Clear();
        var value = 0.0;
        for (var start = 0; start < rows.Length; start += ChunkSize)
        {
            var chunk = rows.Slice(start, Math.Min(ChunkSize, rows.Length - start));
            Array.Clear(_gx);
            Array.Clear(_gy);
            var graph = _firstOrder;
            graph.Reset();
            var xs = UpperLayout.Bind(graph, _x, null, _gx);
            var ys = LowerLayout.Bind(graph, _y, null, _gy);
            var loss = upper ? UpperLoss(graph, xs, ys, chunk) : LowerLoss(graph, xs, ys, chunk);
            var weight = chunk.Length / (double)rows.Length;
            value += weight * double.CreateTruncating(loss.Value[0]);
            if (withGradients)
            {
                graph.Backward(loss);
                AddWidened(_gx, weight, gradientX);
                AddWidened(_gy, weight, gradientY);
            }
        }

        return value;
    }

    private static ReadOnlySpan<int> Rows(Batch batch, int[] all) => batch.IsFull ? all : batch.Indices;

    /// <summary>target += weight · source (nothing when the target is not wanted).</summary>
    private static void AddWidened(ReadOnlySpan<T> source, double weight, Span<double> target)
    {
        if (target.IsEmpty)
        {
            return;
        }

        for (var i = 0; i < target.Length; i++)
        {
            target[i] += weight * double.CreateTruncating(source[i]);
        }
    }

    private static void Narrow(ReadOnlySpan<double> source, Span<T> target) => TensorPrimitives.ConvertTruncating(source, target);

    private static int Size(ParameterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return layout.Size;
    }
}
