using System.Numerics;
using Bilevel.Autodiff;
using Bilevel.Data;
using Bilevel.Networks;
using Bilevel.Tensors;

namespace Bilevel.Problems.HyperCleaning;

/// <summary>
/// CNN data hyper-cleaning, paper 000 §6.2: x = λ ∈ R^n (one weight logit per training image), y = the 4-block
/// <see cref="ConvNet"/> plus a linear head; g(λ, w) = (1/|B|) Σ_{j∈B} σ(λⱼ) CE(net_w(xⱼ), ỹⱼ) on the corrupted training
/// images (the paper states no regularizer; an optional C_r‖w‖² is available and 0 by default) and
/// f(w) = (1/|B|) Σ CE(net_w(xⱼ), yⱼ) on the clean validation images. Oracles by the engine
/// (<see cref="NetworkBilevelProblem{T}"/>); batch norm uses each pass's batch statistics, as the papers' CNNs do,
/// so a loss is a mean over its rows only within one chunk of <see cref="NetworkBilevelProblem{T}.ChunkSize"/> rows.
/// </summary>
/// <typeparam name="T">float (speed) or double (checks).</typeparam>
public sealed class CnnHyperCleaningProblem<T> : NetworkBilevelProblem<T>, ITracedProblem
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ConvNet _net;
    private readonly HyperCleaningData _data;
    private readonly T[] _trainImages;
    private readonly T[] _validationImages;
    private readonly T[] _testImages;
    private readonly T[] _imageBuffer;
    private readonly int[] _rowBuffer;
    private readonly int[] _labelBuffer;
    private readonly T _regularization;
    private readonly int _pixels;
    private readonly int _netParameters;
    private readonly double[] _weights;

    /// <summary>The problem on <paramref name="data"/> (28×28 images; features without the bias column are the pixels).</summary>
    public CnnHyperCleaningProblem(HyperCleaningData data, int filters = 64, double regularization = 0, int chunkSize = 256)
        : base(UpperLayoutFor(Check(data)), LowerLayoutFor(new ConvNet(1, filters, 4, 28), data.ClassCount), data.Validation.Count, data.Train.Count, chunkSize)
    {
        if (!(regularization >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(regularization), regularization, "the L2 weight C_r must be non-negative");
        }

        _data = data;
        _net = new ConvNet(1, filters, 4, 28);
        _netParameters = _net.Layout.Size;
        _pixels = data.FeatureCount - 1;
        if (_pixels != 28 * 28)
        {
            throw new ArgumentException($"CNN hyper-cleaning needs 28×28 images, got {_pixels} pixels per image", nameof(data));
        }

        _trainImages = Pixels(data.Train);
        _validationImages = Pixels(data.Validation);
        _testImages = Pixels(data.Test);
        _imageBuffer = new T[chunkSize * _pixels];
        _rowBuffer = new int[chunkSize];
        _labelBuffer = new int[chunkSize];
        _regularization = T.CreateTruncating(regularization);
        _weights = new double[data.Train.Count];
        Name = $"cnn-hyper-cleaning({data.Name}, n={data.Train.Count}, p={data.CorruptionRate:G3}, filters={filters})";
    }

    public override string Name { get; }

    /// <summary>The data.</summary>
    public HyperCleaningData Data => _data;

    public IReadOnlyList<string> MetricNames { get; } = ["test accuracy", "cleaning AUC"];

    /// <summary>A seeded initialization of y (Kaiming convolutions, as <see cref="ConvNet.Initialize{T}"/>; head uniform ±1/√F).</summary>
    public double[] InitialLowerPoint(int seed)
    {
        var values = new double[LowerDimension];
        _net.Initialize<double>(values.AsSpan(0, _netParameters), seed);
        var bound = 1 / Math.Sqrt(_net.FeatureSize);
        var random = new Random(seed + 1);
        for (var i = _netParameters; i < values.Length; i++)
        {
            values[i] = ((2 * random.NextDouble()) - 1) * bound;
        }

        return values;
    }

    public void EvaluateMetrics(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> values)
    {
        values[0] = TestAccuracy(y);
        for (var i = 0; i < x.Length; i++)
        {
            _weights[i] = 1 / (1 + Math.Exp(-x[i]));
        }

        values[1] = CleaningQuality.Auc(_weights, _data.CorruptedMask);
    }

    /// <summary>Accuracy on the test images (batch statistics per chunk).</summary>
    public double TestAccuracy(ReadOnlySpan<double> y)
    {
        var graph = new Graph<T>(tangents: false);
        var parameters = new T[LowerDimension];
        System.Numerics.Tensors.TensorPrimitives.ConvertTruncating(y, parameters);
        var correct = 0;
        var test = _data.Test;
        for (var start = 0; start < test.Count; start += ChunkSize)
        {
            var b = Math.Min(ChunkSize, test.Count - start);
            graph.Reset();
            var ys = LowerLayout.Bind(graph, parameters);
            var images = new Tensor<T>(_testImages, start * _pixels, b, 1, 28, 28);
            var logits = Logits(graph, ys, graph.Constant(images));
            for (var i = 0; i < b; i++)
            {
                var row = logits.Value.Span.Slice(i * _data.ClassCount, _data.ClassCount);
                correct += System.Numerics.Tensors.TensorPrimitives.IndexOfMax<T>(row) == test.Labels[start + i] ? 1 : 0;
            }
        }

        return correct / (double)test.Count;
    }

    protected override Variable<T> UpperLoss(Graph<T> graph, Variable<T>[] x, Variable<T>[] y, ReadOnlySpan<int> rows)
    {
        var images = Gather(graph, _validationImages, _data.Validation.Labels, rows, out var labels);
        return graph.SoftmaxCrossEntropy(Logits(graph, y, images), labels);
    }

    protected override Variable<T> LowerLoss(Graph<T> graph, Variable<T>[] x, Variable<T>[] y, ReadOnlySpan<int> rows)
    {
        var images = Gather(graph, _trainImages, _data.Train.Labels, rows, out var labels);
        rows.CopyTo(_rowBuffer);
        var logits = graph.Embedding(x[0], _rowBuffer.AsMemory(0, rows.Length), rows.Length, 1);
        var weights = graph.Sigmoid(graph.Reshape(logits, rows.Length));
        var loss = graph.SoftmaxCrossEntropy(Logits(graph, y, images), labels, weights);
        if (_regularization == T.Zero)
        {
            return loss;
        }

        var penalty = graph.SumOfSquares(y[0], _regularization);
        for (var i = 1; i < y.Length; i++)
        {
            penalty = graph.Add(penalty, graph.SumOfSquares(y[i], _regularization));
        }

        return graph.Add(loss, penalty);
    }

    private Variable<T> Logits(Graph<T> graph, Variable<T>[] y, Variable<T> images)
    {
        var count = _net.Layout.Entries.Count;
        var features = _net.Forward(graph, y[..count], images);
        return graph.AddBias(graph.MatMul(features, y[count], transposeB: true), y[count + 1]);
    }

    private Variable<T> Gather(Graph<T> graph, T[] source, int[] sourceLabels, ReadOnlySpan<int> rows, out ReadOnlyMemory<int> labels)
    {
        for (var r = 0; r < rows.Length; r++)
        {
            source.AsSpan(rows[r] * _pixels, _pixels).CopyTo(_imageBuffer.AsSpan(r * _pixels, _pixels));
            _labelBuffer[r] = sourceLabels[rows[r]];
        }

        labels = _labelBuffer.AsMemory(0, rows.Length);
        return graph.Constant(new Tensor<T>(_imageBuffer, 0, rows.Length, 1, 28, 28));
    }

    private T[] Pixels(HyperCleaningSplit split)
    {
        var d = _pixels + 1;
        var pixels = new T[split.Count * _pixels];
        for (var r = 0; r < split.Count; r++)
        {
            for (var j = 0; j < _pixels; j++)
            {
                pixels[(r * _pixels) + j] = T.CreateTruncating(split.Features[(r * d) + j]);
            }
        }

        return pixels;
    }

    private static ParameterLayout UpperLayoutFor(HyperCleaningData data)
    {
        var layout = new ParameterLayout();
        layout.Add("lambda", data.Train.Count, 1);
        return layout;
    }

    private static ParameterLayout LowerLayoutFor(ConvNet net, int classes)
    {
        var layout = new ParameterLayout();
        foreach (var entry in net.Layout.Entries)
        {
            layout.Add(entry.Name, entry.Shape);
        }

        layout.Add("head.weight", classes, net.FeatureSize);
        layout.Add("head.bias", classes);
        return layout;
    }

    private static HyperCleaningData Check(HyperCleaningData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data;
    }
}
