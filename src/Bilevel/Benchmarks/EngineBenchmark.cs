using System.Diagnostics;
using System.Numerics;
using Bilevel.Autodiff;
using Bilevel.Networks;
using Bilevel.Tensors;

namespace Bilevel.Benchmarks;

/// <summary>One model's timing: a gradient pass against one HVP + cross-product pass (direction on y).</summary>
/// <param name="Model">What was timed.</param>
/// <param name="GradientMilliseconds">Median time of forward + backward.</param>
/// <param name="SecondOrderMilliseconds">Median time of one forward-over-reverse pass returning ∇, ∇²yy·v and ∇²xy·v.</param>
/// <param name="GradientAllocatedBytes">Managed bytes allocated by one gradient pass in steady state.</param>
/// <param name="SecondOrderAllocatedBytes">Managed bytes allocated by one second-order pass in steady state.</param>
public sealed record EngineTiming(string Model, double GradientMilliseconds, double SecondOrderMilliseconds, long GradientAllocatedBytes, long SecondOrderAllocatedBytes)
{
    public double Ratio => SecondOrderMilliseconds / GradientMilliseconds;
}

/// <summary>GEMM throughput.</summary>
public sealed record GemmTiming(string Backend, string Type, int Size, double Milliseconds)
{
    public double GigaflopsPerSecond => 2.0 * Size * Size * Size / (Milliseconds * 1e6);
}

/// <summary>
/// A bilevel loss on the engine, ready to time: parameters x (upper) and y (lower) as flat vectors, one pass with or
/// without a direction on y.
/// </summary>
public sealed class EngineModel<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Func<Graph<T>, Variable<T>[], Variable<T>[], Variable<T>> _loss;
    private readonly Graph<T> _gradientGraph = new(tangents: false);
    private readonly Graph<T> _secondOrderGraph = new(tangents: true);

    public EngineModel(string name, ParameterLayout upper, ParameterLayout lower, Func<Graph<T>, Variable<T>[], Variable<T>[], Variable<T>> loss, int seed)
    {
        ArgumentNullException.ThrowIfNull(upper);
        ArgumentNullException.ThrowIfNull(lower);
        Name = name;
        Upper = upper;
        Lower = lower;
        _loss = loss;
        var random = new Random(seed);
        X = new T[upper.Size];
        Y = new T[lower.Size];
        Direction = new T[lower.Size];
        Initializers.Uniform<T>(X, 1.0, random);
        Initializers.Uniform<T>(Y, 0.05, random);
        Initializers.Uniform<T>(Direction, 1.0, random);
        GradientX = new T[upper.Size];
        GradientY = new T[lower.Size];
        CrossProduct = new T[upper.Size];
        Hvp = new T[lower.Size];
    }

    public string Name { get; }

    public ParameterLayout Upper { get; }

    public ParameterLayout Lower { get; }

    public T[] X { get; }

    public T[] Y { get; }

    public T[] Direction { get; }

    public T[] GradientX { get; }

    public T[] GradientY { get; }

    public T[] CrossProduct { get; }

    public T[] Hvp { get; }

    /// <summary>Forward + backward; fills <see cref="GradientX"/> and <see cref="GradientY"/>; returns the loss.</summary>
    public T Gradient() => Pass(_gradientGraph, withDirection: false);

    /// <summary>One forward-over-reverse pass with direction (0, v): gradients plus <see cref="Hvp"/> and <see cref="CrossProduct"/>.</summary>
    public T SecondOrder() => Pass(_secondOrderGraph, withDirection: true);

    private T Pass(Graph<T> graph, bool withDirection)
    {
        graph.Reset();
        Array.Clear(GradientX);
        Array.Clear(GradientY);
        Array.Clear(CrossProduct);
        Array.Clear(Hvp);
        var x = Upper.Bind(graph, X, null, GradientX, withDirection ? CrossProduct : null);
        var y = Lower.Bind(graph, Y, withDirection ? Direction : null, GradientY, withDirection ? Hvp : null);
        var loss = _loss(graph, x, y);
        graph.Backward(loss);
        return loss.Value[0];
    }
}

/// <summary>
/// The engine's benchmark models (issue: weighted softmax regression 1000×785×10, the ConvNet on 28×28 batch 256,
/// the RNN on 64 sentences of 30 tokens) and a stopwatch harness for <c>bilevel bench engine</c>; BenchmarkDotNet runs
/// the same models from <c>bench/</c>.
/// </summary>
public static class EngineBenchmark
{
    /// <summary>Hyper-cleaning's linear model: y = W [10 × 785] (bias folded in), x = λ [1000]; g = (1/n) Σ σ(λᵢ) CE + 0.001‖W‖².</summary>
    public static EngineModel<T> SoftmaxRegression<T>(int samples = 1000, int features = 785, int classes = 10, int seed = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var upper = new ParameterLayout();
        upper.Add("lambda", samples);
        var lower = new ParameterLayout();
        lower.Add("weight", classes, features);
        var data = RandomTensor<T>(seed + 1, samples, features);
        var labels = Labels(seed + 2, samples, classes);
        var regularization = T.CreateChecked(0.001);
        return new EngineModel<T>($"softmax regression {samples}×{features}×{classes}", upper, lower, (graph, x, y) =>
        {
            var logits = graph.MatMul(graph.Constant(data), y[0], transposeB: true);
            var loss = graph.SoftmaxCrossEntropy(logits, labels, graph.Sigmoid(x[0]));
            return graph.Add(loss, graph.SumOfSquares(y[0], regularization));
        }, seed);
    }

    /// <summary>Paper 000 §6.2's hyper-cleaning CNN: y = ConvNet + linear head, x = λ [batch]; weighted CE of the head's logits.</summary>
    public static EngineModel<T> ConvNetHyperCleaning<T>(int batch = 256, int filters = 64, int classes = 10, int seed = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var net = new ConvNet(1, filters, 4, 28);
        var upper = new ParameterLayout();
        upper.Add("lambda", batch);
        var lower = new ParameterLayout();
        foreach (var entry in net.Layout.Entries)
        {
            lower.Add(entry.Name, entry.Shape);
        }

        lower.Add("head.weight", classes, net.FeatureSize);
        lower.Add("head.bias", classes);
        var images = RandomTensor<T>(seed + 1, batch, 1, 28, 28);
        var labels = Labels(seed + 2, batch, classes);
        var count = net.Layout.Entries.Count;
        var model = new EngineModel<T>($"ConvNet-{filters} 28×28 batch {batch}", upper, lower, (graph, x, y) =>
        {
            var features = net.Forward(graph, y[..count], graph.Constant(images));
            var logits = graph.AddBias(graph.MatMul(features, y[count], transposeB: true), y[count + 1]);
            return graph.SoftmaxCrossEntropy(logits, labels, graph.Sigmoid(x[0]));
        }, seed);
        net.Initialize<T>(model.Y.AsSpan(0, net.Layout.Size), seed);
        return model;
    }

    /// <summary>
    /// Paper 004's hyper-representation: x = a 2-layer Elman RNN encoder (word vectors of size D, hidden H) with
    /// max-pooling over time, y = a linear head; tokens embedded by a frozen table, sentence lengths in [5, L].
    /// </summary>
    public static EngineModel<T> RnnHyperRepresentation<T>(int batch = 64, int tokens = 30, int wordSize = 100, int hidden = 256,
        int vocabulary = 5000, int classes = 2, int seed = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var encoder = new RnnTextEncoder(wordSize, hidden, layers: 2);
        var upper = new ParameterLayout();
        foreach (var entry in encoder.Layout.Entries)
        {
            upper.Add(entry.Name, entry.Shape);
        }

        var lower = new ParameterLayout();
        lower.Add("head.weight", classes, hidden);
        lower.Add("head.bias", classes);
        var table = RandomTensor<T>(seed + 1, vocabulary, wordSize);
        var random = new Random(seed + 2);
        var ids = new int[batch * tokens];
        var lengths = new int[batch];
        for (var n = 0; n < batch; n++)
        {
            lengths[n] = random.Next(5, tokens + 1);
            for (var t = 0; t < tokens; t++)
            {
                ids[(n * tokens) + t] = random.Next(vocabulary);
            }
        }

        var labels = Labels(seed + 3, batch, classes);
        var regularization = T.CreateChecked(0.0005);
        var model = new EngineModel<T>($"RNN-2×{hidden} on {batch}×{tokens} tokens (D = {wordSize})", upper, lower, (graph, x, y) =>
        {
            var words = graph.Embedding(graph.Constant(table), ids, batch, tokens, lengths);
            var features = encoder.Forward(graph, x, words, lengths);
            var logits = graph.AddBias(graph.MatMul(features, y[0], transposeB: true), y[1]);
            return graph.Add(graph.SoftmaxCrossEntropy(logits, labels), graph.SumOfSquares(y[0], regularization));
        }, seed);
        encoder.Initialize<T>(model.X, seed);
        return model;
    }

    /// <summary>Median milliseconds and steady-state allocation of both passes.</summary>
    public static EngineTiming Time<T>(EngineModel<T> model, int repeats = 7, int warmup = 2, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(repeats);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        var (gradient, gradientBytes) = Measure(() => model.Gradient(), repeats, warmup, cancellationToken);
        var (second, secondBytes) = Measure(() => model.SecondOrder(), repeats, warmup, cancellationToken);
        return new EngineTiming(model.Name, gradient, second, gradientBytes, secondBytes);
    }

    /// <summary>n × n × n GEMM through <see cref="Blas"/> (median of repeats).</summary>
    public static GemmTiming Gemm<T>(int size, bool managed, int repeats = 5)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = RandomTensor<T>(1, size, size).Buffer;
        var b = RandomTensor<T>(2, size, size).Buffer;
        var c = new T[size * size];
        var previous = Blas.ForceManaged;
        Blas.ForceManaged = managed;
        try
        {
            var backend = Blas.Backend;
            var (ms, _) = Measure(() => Blas.Gemm(false, false, size, size, size, T.One, a, size, b, size, T.Zero, c, size), repeats, 1, default);
            return new GemmTiming(backend, typeof(T) == typeof(float) ? "float32" : "float64", size, ms);
        }
        finally
        {
            Blas.ForceManaged = previous;
        }
    }

    /// <summary>Median and least allocation over repeats, after <see cref="OperationTimer.WarmUp"/>.</summary>
    private static (double Milliseconds, long Bytes) Measure(Action action, int repeats, int warmup, CancellationToken cancellationToken)
    {
        OperationTimer.WarmUp(action, warmup, cancellationToken);

        var times = new double[repeats];
        long bytes = long.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            bytes = Math.Min(bytes, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Array.Sort(times);
        return (times[repeats / 2], bytes);
    }

    internal static Tensor<T> RandomTensor<T>(int seed, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensor = new Tensor<T>(shape);
        var random = new Random(seed);
        var span = tensor.Span;
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = T.CreateChecked(random.NextDouble());
        }

        return tensor;
    }

    internal static int[] Labels(int seed, int count, int classes)
    {
        var random = new Random(seed);
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = random.Next(classes);
        }

        return labels;
    }
}
