using System.Numerics;
using Bilevel.Autodiff;
using Bilevel.Data.Omniglot;
using Bilevel.Networks;
using Bilevel.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bilevel.Problems.HyperRepresentation;

/// <summary>
/// Few-shot hyper-representation (paper 001 §4.1; paper 002 §4.1 with ANIL-style heads) on N-way K-shot Omniglot
/// episodes: x = the parameters of a <see cref="ConvNet"/> feature extractor φ_x (the hyper-representation), y = one
/// linear N-way head w_i = (W_i, b_i) per task of a pool of m episodes, and
/// g(x, y) = (1/m) Σ_i [CE(W_i φ_x(S_i) + b_i) + (C/2)‖w_i‖²], f(x, y) = (1/m) Σ_i CE(W_i φ_x(Q_i) + b_i), each CE
/// the mean over the task's support rows S_i (N·K) or query rows Q_i (N·Q).
/// </summary>
/// <remarks>
/// <para>
/// <b>Tasks ↔ batches.</b> The problem holds a fixed pool of m episodes (<see cref="Episodes"/>); a sample is a
/// task, so <see cref="BilevelProblem.UpperSampleCount"/> = <see cref="BilevelProblem.LowerSampleCount"/> = m and
/// <see cref="Batch"/> indices select tasks of the pool: the lower sample i is the support set of task i, the upper
/// sample i its query set, and a mini-batch B evaluates (1/|B|) Σ_{i∈B} of the per-task terms, an unbiased estimate of
/// the pool objective (the heads of tasks outside B get zero gradient). So the deterministic solvers (ITD-BiO,
/// AID-BiO, HF-SES-ITDM on the full batch) solve the meta-batch of m tasks exactly as the issue writes it, and the
/// stochastic ones (ANIL, MAML, stocBiO, …) draw task batches from the pool. ANIL and MAML draw their lower and upper
/// batches independently, so with a task batch smaller than the pool a head may be scored on a query set whose support
/// it was not adapted on; with TaskBatchSize = 0 (or ≥ m) both are the whole pool and support and query pair up as
/// tasks, the usual setting with the pool as the meta-batch. To resample tasks per outer step, an
/// experiment driver calls <see cref="SetEpisodes"/> or <see cref="Resample"/> between solver steps (the pool size and
/// the N/K/Q shape stay fixed, so y keeps its length; resetting or warm-starting the heads is the driver's choice).
/// </para>
/// <para>
/// <b>Layout.</b> x is laid out by <see cref="UpperLayout"/> (the ConvNet's layout: per block conv weight, conv bias,
/// batch-norm γ, β). y is m blocks of <see cref="HeadSize"/> = N·(F + 1) values, task i at offset i·HeadSize: first
/// W_i (N × F, row-major), then b_i (N), with F = <see cref="ConvNet.FeatureSize"/> (64 for the 4-block, 64-filter
/// network on 28×28). <see cref="LowerLayout"/> names them <c>task{i}.weight</c> and <c>task{i}.bias</c>.
/// </para>
/// <para>
/// <b>Regularizer.</b> (C/2)‖w_i‖² covers the weights and the bias, so g is (C/m)-strongly convex in y (the softmax
/// cross entropy alone is invariant to adding a common vector to all rows of W_i and b_i). The issue writes (C/2)‖w‖²;
/// paper 001 writes C‖w‖² with C = 0.01, which is <see cref="Regularization"/> = 0.02 here.
/// </para>
/// <para>
/// <b>Batch norm.</b> Statistics of the pass, per task and per set: φ_x(S_i) normalizes over the task's support
/// images, φ_x(Q_i) over its query images (transductive, as learn2learn and the papers' Conv4 do), so each task's terms
/// depend on that task's images only and g, f are exact means over tasks.
/// </para>
/// <para>
/// <b>Features computed once.</b> The features φ_x(S_i), φ_x(Q_i) are cached for the current x (compared by value, so
/// in-place updates of x are seen). Oracles that need no derivative in x — f, g, ∇y f, ∇y g and ∇²yy g·v alone — run on
/// the cached features and touch only the heads; a solver's T inner steps at one x pay the ConvNet once. Oracles with
/// ∇x f or ∇x g run the ConvNet forward and one backward pass per task and refresh the cache. The cross product
/// ∇²xy g·v = J_φ(x)ᵀ ψ with ψ = ∂⟨∇y g, v⟩/∂φ: a forward-over-reverse pass with direction (0, v) on the heads alone
/// (features as parameters) gives ψ together with ∇²yy g·v, then one ordinary backward pass through the ConvNet with
/// seed ψ gives the product (no tangents and no ∇x g through the network).
/// Tasks run one graph each and accumulate, so memory is that of one task.
/// </para>
/// </remarks>
/// <typeparam name="T">The engine's number type: float (speed) or double (checks).</typeparam>
public sealed class FewShotHyperRepresentationProblem<T> : BilevelProblem, ITracedProblem
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Pixels = OmniglotDataset.PixelCount;
    private const int Side = OmniglotDataset.ImageSize;

    private readonly ConvNet _net;
    private readonly Episode[] _episodes;
    private readonly int _features;
    private readonly T _halfC;
    private readonly T[] _x;
    private readonly T[] _gx;
    private readonly T[] _cross;
    private readonly T[] _y;
    private readonly T[] _v;
    private readonly T[] _gy;
    private readonly T[] _hvp;
    private readonly double[] _cachedX;
    private readonly T[] _imageBuffer;
    private readonly T[] _weightBuffer;
    private readonly T[] _featureGradient;
    private readonly T[] _featureGradientTangent;
    private readonly T[][] _supportFeatures;
    private readonly T[][] _queryFeatures;
    private readonly bool[] _supportValid;
    private readonly bool[] _queryValid;
    private readonly bool[] _inBatch;
    private readonly int[] _allTasks;
    private readonly Graph<T> _featureGraph = new(tangents: false);
    private readonly Graph<T> _firstOrder = new(tangents: false);
    private readonly Graph<T> _secondOrder = new(tangents: true);
    private bool _cacheHasX;

    /// <summary>The problem on a pool of episodes of one N-way K-shot Q-query shape.</summary>
    /// <param name="episodes">The task pool (m ≥ 1 episodes, all with the same ways, shots and queries); copied as a list.</param>
    /// <param name="filters">ConvNet filters per block (64 in papers 001 and 002).</param>
    /// <param name="blocks">ConvNet blocks (4 in the papers; fewer gives F = filters·(28/2^blocks)² features, for small tests).</param>
    /// <param name="regularization">C in (C/2)‖w_i‖² (paper 001: C‖w‖² with C = 0.01, i.e. 0.02 here).</param>
    public FewShotHyperRepresentationProblem(IReadOnlyList<Episode> episodes, int filters = 64, int blocks = 4, double regularization = 0.02)
        : this(Check(episodes), new ConvNet(1, filters, blocks, Side), regularization)
    {
    }

    private FewShotHyperRepresentationProblem(Episode[] episodes, ConvNet net, double regularization)
        : base(net.Layout.Size, episodes.Length * HeadSizeOf(episodes[0], net), episodes.Length, episodes.Length)
    {
        if (!(regularization > 0) || double.IsInfinity(regularization))
        {
            throw new ArgumentOutOfRangeException(nameof(regularization), regularization, "C must be positive (it makes g strongly convex in the heads)");
        }

        _net = net;
        _episodes = episodes;
        _features = net.FeatureSize;
        Ways = episodes[0].Ways;
        Shots = episodes[0].Shots;
        Queries = episodes[0].Queries;
        HeadSize = HeadSizeOf(episodes[0], net);
        Regularization = regularization;
        _halfC = T.CreateTruncating(regularization / 2);
        UpperLayout = net.Layout;
        LowerLayout = new ParameterLayout();
        for (var i = 0; i < episodes.Length; i++)
        {
            LowerLayout.Add($"task{i}.weight", Ways, _features);
            LowerLayout.Add($"task{i}.bias", Ways);
        }

        _x = new T[UpperDimension];
        _gx = new T[UpperDimension];
        _cross = new T[UpperDimension];
        _cachedX = new double[UpperDimension];
        _y = new T[LowerDimension];
        _v = new T[LowerDimension];
        _gy = new T[LowerDimension];
        _hvp = new T[LowerDimension];
        var rows = Ways * Math.Max(Shots, Queries);
        _imageBuffer = new T[rows * Pixels];
        _weightBuffer = new T[rows];
        _featureGradient = new T[Ways * Shots * net.FeatureSize];
        _featureGradientTangent = new T[Ways * Shots * net.FeatureSize];
        _supportFeatures = new T[episodes.Length][];
        _queryFeatures = new T[episodes.Length][];
        _supportValid = new bool[episodes.Length];
        _queryValid = new bool[episodes.Length];
        _inBatch = new bool[episodes.Length];
        _allTasks = [.. Enumerable.Range(0, episodes.Length)];
        SetEpisodes(episodes);
        Name = $"few-shot-hyper-representation({Ways}-way {Shots}-shot, {episodes.Length} tasks, filters={net.Filters}, blocks={net.Blocks}, C={regularization:G3})";
    }

    public override string Name { get; }

    /// <summary>The feature extractor φ_x.</summary>
    public ConvNet Network => _net;

    /// <summary>The current task pool (sample i = task i).</summary>
    public IReadOnlyList<Episode> Episodes => _episodes;

    /// <summary>N, classes per task.</summary>
    public int Ways { get; }

    /// <summary>K, support images per class.</summary>
    public int Shots { get; }

    /// <summary>Q, query images per class.</summary>
    public int Queries { get; }

    /// <summary>C in (C/2)‖w_i‖².</summary>
    public double Regularization { get; }

    /// <summary>Values per head, N·(F + 1).</summary>
    public int HeadSize { get; }

    /// <summary>How x is split: the ConvNet's parameters.</summary>
    public ParameterLayout UpperLayout { get; }

    /// <summary>How y is split: task{i}.weight (N × F) and task{i}.bias (N) for each task.</summary>
    public ParameterLayout LowerLayout { get; }

    /// <summary>
    /// Traced metrics: query and support accuracy of the current heads on the pool, and the meta-test accuracy of x on
    /// <see cref="MonitorEpisodes"/> (heads fitted by <see cref="FewShotEvaluator{T}"/>; NaN while none are set).
    /// </summary>
    public IReadOnlyList<string> MetricNames { get; } = ["query accuracy", "support accuracy", "meta-test accuracy"];

    /// <summary>
    /// Held-out episodes scored at every trace evaluation (the "meta-test accuracy" metric: a curve against time); null
    /// for none. Evaluation is outside the solver's clock and counts, like every traced metric.
    /// </summary>
    public IReadOnlyList<Episode>? MonitorEpisodes
    {
        get;
        set
        {
            field = value;
            _monitor = value is null ? null : CreateEvaluator();
        }
    }

    private FewShotEvaluator<T>? _monitor;

    /// <summary>The meta-test evaluator for this problem's network and C (<see cref="FewShotEvaluator{T}"/>).</summary>
    public FewShotEvaluator<T> CreateEvaluator(int maxIterations = 100) => new(_net, Regularization, maxIterations);

    /// <summary>
    /// Replaces the task pool by new episodes of the same count and N/K/Q shape (a fresh meta-batch); the feature
    /// cache is dropped. y keeps its layout: head i now belongs to the new task i.
    /// </summary>
    public void SetEpisodes(IReadOnlyList<Episode> episodes)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        if (episodes.Count != _episodes.Length)
        {
            throw new ArgumentException($"the pool has {_episodes.Length} tasks, got {episodes.Count} episodes", nameof(episodes));
        }

        for (var i = 0; i < episodes.Count; i++)
        {
            var e = episodes[i] ?? throw new ArgumentException($"episode {i} is null", nameof(episodes));
            if (e.Ways != Ways || e.Shots != Shots || e.Queries != Queries)
            {
                throw new ArgumentException(
                    $"episode {i} is {e.Ways}-way {e.Shots}-shot with {e.Queries} queries, the pool is {Ways}-way {Shots}-shot with {Queries}", nameof(episodes));
            }
        }

        for (var i = 0; i < episodes.Count; i++)
        {
            _episodes[i] = episodes[i];
        }

        Array.Clear(_supportValid);
        Array.Clear(_queryValid);
    }

    /// <summary>Draws a new pool of the same shape from <paramref name="sampler"/> and sets it (<see cref="SetEpisodes"/>).</summary>
    public void Resample(EpisodeSampler sampler)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        SetEpisodes(FewShotTasks.Sample(sampler, _episodes.Length, Ways, Shots, Queries));
    }

    /// <summary>A seeded x: Kaiming-normal convolutions, zero biases, batch-norm γ = 1, β = 0 (<see cref="ConvNet.Initialize{T}"/>).</summary>
    public double[] InitialUpperPoint(int seed)
    {
        var values = new double[UpperDimension];
        _net.Initialize<double>(values, seed);
        return values;
    }

    /// <summary>A seeded y: head weights uniform in ±1/√F, biases 0 (all-zero heads are a valid start too: g is strongly convex).</summary>
    public double[] InitialLowerPoint(int seed)
    {
        var values = new double[LowerDimension];
        var bound = 1 / Math.Sqrt(_features);
        var random = new Random(seed);
        for (var task = 0; task < _episodes.Length; task++)
        {
            var weights = values.AsSpan(task * HeadSize, Ways * _features);
            for (var i = 0; i < weights.Length; i++)
            {
                weights[i] = ((2 * random.NextDouble()) - 1) * bound;
            }
        }

        return values;
    }

    /// <summary>Query and support accuracy of the current heads y on the pool's tasks (mean over tasks).</summary>
    public void EvaluateMetrics(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> values)
    {
        CheckLength(x, UpperDimension, nameof(x));
        CheckLength(y, LowerDimension, nameof(y));
        CheckLength(values, MetricNames.Count, nameof(values));
        values[0] = Accuracy(x, y, query: true);
        values[1] = Accuracy(x, y, query: false);
        values[2] = _monitor is { } monitor && MonitorEpisodes is { } episodes ? monitor.Evaluate(x, episodes).Mean : double.NaN;
    }

    /// <summary>Mean over tasks of the accuracy of head i on task i's query (or support) set at (x, y).</summary>
    public double Accuracy(ReadOnlySpan<double> x, ReadOnlySpan<double> y, bool query)
    {
        CheckLength(x, UpperDimension, nameof(x));
        CheckLength(y, LowerDimension, nameof(y));

        // The cache is read when it holds this x, never written: metrics must not change what the solver's oracles cost.
        var cached = _cacheHasX && x.SequenceEqual(_cachedX);
        var xs = cached ? null : new T[UpperDimension];
        if (xs is not null)
        {
            TensorPrimitives.ConvertTruncating(x, xs.AsSpan());
        }

        var rows = Ways * (query ? Queries : Shots);
        var scratch = new T[rows * _features];
        var total = 0.0;
        for (var task = 0; task < _episodes.Length; task++)
        {
            var valid = query ? _queryValid : _supportValid;
            var store = query ? _queryFeatures : _supportFeatures;
            ReadOnlySpan<T> features;
            if (cached && valid[task])
            {
                features = store[task];
            }
            else
            {
                ComputeFeatures(xs ?? _x, task, query, scratch);
                features = scratch;
            }

            var episode = _episodes[task];
            total += HeadAccuracy(features, y.Slice(task * HeadSize, HeadSize), query ? episode.QueryLabels : episode.SupportLabels, Ways, _features);
        }

        return total / _episodes.Length;
    }

    /// <summary>Fraction of rows whose argmax of W φ + b is the label (head = W row-major then b).</summary>
    internal static double HeadAccuracy(ReadOnlySpan<T> features, ReadOnlySpan<double> head, ReadOnlySpan<int> labels, int ways, int featureSize)
    {
        var correct = 0;
        for (var r = 0; r < labels.Length; r++)
        {
            var phi = features.Slice(r * featureSize, featureSize);
            var best = 0;
            var bestValue = double.NegativeInfinity;
            for (var c = 0; c < ways; c++)
            {
                var value = head[(ways * featureSize) + c];
                var w = head.Slice(c * featureSize, featureSize);
                for (var j = 0; j < featureSize; j++)
                {
                    value += w[j] * double.CreateTruncating(phi[j]);
                }

                if (value > bestValue)
                {
                    bestValue = value;
                    best = c;
                }
            }

            correct += best == labels[r] ? 1 : 0;
        }

        return correct / (double)labels.Length;
    }

    protected override double UpperValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        Value(x, y, batch, query: true);

    protected override double LowerValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        Value(x, y, batch, query: false);

    protected override void UpperGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch) =>
        Gradients(x, y, gradientX, gradientY, batch, query: true);

    protected override void LowerGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch) =>
        Gradients(x, y, gradientX, gradientY, batch, query: false);

    protected override void LowerSecondOrderCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch)
    {
        var tasks = Tasks(batch);
        SyncX(x);
        NarrowHeads(y, _y, tasks);
        NarrowHeads(v, _v, tasks);
        ClearHeads(_gy, tasks);
        ClearHeads(_hvp, tasks);
        var throughNet = !crossProduct.IsEmpty;
        if (throughNet)
        {
            Array.Clear(_cross);
        }

        var graph = _secondOrder;
        var rows = Ways * Shots;
        foreach (var task in tasks)
        {
            // Cross product: ψ = ∂⟨∇y g, v⟩/∂φ from the head pass, then one backward pass through the ConvNet with
            // seed ψ (∇²xy g·v = J_φ(x)ᵀ ψ); no tangents through the network.
            Variable<T>? features = null;
            if (throughNet)
            {
                var net = _firstOrder;
                net.Reset();
                var xs = _net.Layout.Bind(net, _x, null, _cross);
                features = _net.Forward(net, xs, net.Constant(Images(_episodes[task], query: false, rows)));
                _supportFeatures[task] ??= new T[rows * _features];
                features.Value.Span.CopyTo(_supportFeatures[task]);
                _supportValid[task] = true;
                _featureGradient.AsSpan(0, rows * _features).Clear();
                _featureGradientTangent.AsSpan(0, rows * _features).Clear();
            }

            graph.Reset();
            graph.Backward(TaskLoss(graph, task, tasks.Length, query: false, xs: null, tangent: true, featureAdjoints: throughNet));
            if (features is not null)
            {
                _firstOrder.Backward(_firstOrder.WeightedSum(features, new Tensor<T>(_featureGradientTangent, 0, rows * _features)));
            }
        }

        WidenHeads(_hvp, hvp, tasks);
        if (throughNet)
        {
            Widen(_cross, crossProduct);
        }
    }

    private double Value(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch, bool query)
    {
        var tasks = Tasks(batch);
        SyncX(x);
        NarrowHeads(y, _y, tasks);
        var value = 0.0;
        var graph = _firstOrder;
        foreach (var task in tasks)
        {
            graph.Reset();
            value += double.CreateTruncating(TaskLoss(graph, task, tasks.Length, query, xs: null, tangent: false).Value[0]);
        }

        return value;
    }

    private void Gradients(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch, bool query)
    {
        var tasks = Tasks(batch);
        SyncX(x);
        NarrowHeads(y, _y, tasks);
        ClearHeads(_gy, tasks);
        var throughNet = !gradientX.IsEmpty;
        if (throughNet)
        {
            Array.Clear(_gx);
        }

        var graph = _firstOrder;
        foreach (var task in tasks)
        {
            graph.Reset();
            var xs = throughNet ? _net.Layout.Bind(graph, _x, null, _gx) : null;
            graph.Backward(TaskLoss(graph, task, tasks.Length, query, xs, tangent: false));
        }

        if (throughNet)
        {
            Widen(_gx, gradientX);
        }

        if (!gradientY.IsEmpty)
        {
            WidenHeads(_gy, gradientY, tasks);
        }
    }

    /// <summary>
    /// Builds one task's term of f (query) or g (support) divided by the batch size: mean CE of head i on φ_x, plus
    /// (C/2)‖w_i‖² for g. With <paramref name="xs"/> the ConvNet is part of the graph (and refreshes the cache);
    /// without, the cached features are constants, or with <paramref name="featureAdjoints"/> parameters whose
    /// gradient and gradient tangent land in the feature-adjoint buffers.
    /// </summary>
    private Variable<T> TaskLoss(Graph<T> graph, int task, int batchSize, bool query, Variable<T>[]? xs, bool tangent, bool featureAdjoints = false)
    {
        var episode = _episodes[task];
        var rows = Ways * (query ? Queries : Shots);
        var store = query ? _queryFeatures : _supportFeatures;
        var valid = query ? _queryValid : _supportValid;
        store[task] ??= new T[rows * _features];
        Variable<T> features;
        if (xs is not null)
        {
            features = _net.Forward(graph, xs, graph.Constant(Images(episode, query, rows)));
            features.Value.Span.CopyTo(store[task]);
            valid[task] = true;
        }
        else
        {
            if (!valid[task])
            {
                ComputeFeatures(_x, task, query, store[task]);
                valid[task] = true;
            }

            features = featureAdjoints
                ? graph.Parameter(new Tensor<T>(store[task], 0, rows, _features), null,
                    new Tensor<T>(_featureGradient, 0, rows, _features), new Tensor<T>(_featureGradientTangent, 0, rows, _features))
                : graph.Constant(new Tensor<T>(store[task], 0, rows, _features));
        }

        var offset = task * HeadSize;
        var weightSize = Ways * _features;
        var weight = graph.Parameter(
            new Tensor<T>(_y, offset, Ways, _features),
            tangent ? new Tensor<T>(_v, offset, Ways, _features) : null,
            new Tensor<T>(_gy, offset, Ways, _features),
            tangent ? new Tensor<T>(_hvp, offset, Ways, _features) : null);
        var bias = graph.Parameter(
            new Tensor<T>(_y, offset + weightSize, Ways),
            tangent ? new Tensor<T>(_v, offset + weightSize, Ways) : null,
            new Tensor<T>(_gy, offset + weightSize, Ways),
            tangent ? new Tensor<T>(_hvp, offset + weightSize, Ways) : null);
        var logits = graph.AddBias(graph.MatMul(features, weight, transposeB: true), bias);
        var share = T.One / T.CreateTruncating(batchSize);
        _weightBuffer.AsSpan(0, rows).Fill(share);
        var rowWeights = graph.Constant(new Tensor<T>(_weightBuffer, 0, rows));
        var labels = query ? episode.QueryLabels : episode.SupportLabels;
        var loss = graph.SoftmaxCrossEntropy(logits, labels, rowWeights);
        if (query)
        {
            return loss;
        }

        var scale = _halfC * share;
        return graph.Add(loss, graph.Add(graph.SumOfSquares(weight, scale), graph.SumOfSquares(bias, scale)));
    }

    /// <summary>φ_x of task <paramref name="task"/>'s support or query images (batch statistics of that set) into <paramref name="target"/>.</summary>
    private void ComputeFeatures(T[] x, int task, bool query, Span<T> target)
    {
        var episode = _episodes[task];
        var rows = Ways * (query ? Queries : Shots);
        var graph = _featureGraph;
        graph.Reset();
        var entries = _net.Layout.Entries;
        var xs = new Variable<T>[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            xs[i] = graph.Constant(new Tensor<T>(x, entries[i].Offset, entries[i].Shape));
        }

        _net.Forward(graph, xs, graph.Constant(Images(episode, query, rows))).Value.Span.CopyTo(target);
    }

    private Tensor<T> Images(Episode episode, bool query, int rows)
    {
        var source = query ? episode.QueryImages : episode.SupportImages;
        TensorPrimitives.ConvertTruncating<float, T>(source.AsSpan(0, rows * Pixels), _imageBuffer.AsSpan(0, rows * Pixels));
        return new Tensor<T>(_imageBuffer, 0, rows, 1, Side, Side);
    }

    /// <summary>Makes the feature cache and the narrowed x belong to <paramref name="x"/> (compared by value).</summary>
    private void SyncX(ReadOnlySpan<double> x)
    {
        if (_cacheHasX && x.SequenceEqual(_cachedX))
        {
            return;
        }

        x.CopyTo(_cachedX);
        TensorPrimitives.ConvertTruncating(x, _x.AsSpan());
        _cacheHasX = true;
        Array.Clear(_supportValid);
        Array.Clear(_queryValid);
    }

    private ReadOnlySpan<int> Tasks(Batch batch) => batch.IsFull ? _allTasks : batch.Indices;

    private void NarrowHeads(ReadOnlySpan<double> source, T[] target, ReadOnlySpan<int> tasks)
    {
        foreach (var task in tasks)
        {
            TensorPrimitives.ConvertTruncating(source.Slice(task * HeadSize, HeadSize), target.AsSpan(task * HeadSize, HeadSize));
        }
    }

    private void ClearHeads(T[] target, ReadOnlySpan<int> tasks)
    {
        foreach (var task in tasks)
        {
            target.AsSpan(task * HeadSize, HeadSize).Clear();
        }
    }

    /// <summary>Writes the batch's heads of <paramref name="source"/> into <paramref name="target"/> and zero elsewhere.</summary>
    private void WidenHeads(T[] source, Span<double> target, ReadOnlySpan<int> tasks)
    {
        if (target.IsEmpty)
        {
            return;
        }

        target.Clear();
        foreach (var task in tasks)
        {
            // A task listed twice accumulated both terms in source already; copy it once.
            if (_inBatch[task])
            {
                continue;
            }

            _inBatch[task] = true;
            TensorPrimitives.ConvertTruncating<T, double>(source.AsSpan(task * HeadSize, HeadSize), target.Slice(task * HeadSize, HeadSize));
        }

        foreach (var task in tasks)
        {
            _inBatch[task] = false;
        }
    }

    private static void Widen(T[] source, Span<double> target) => TensorPrimitives.ConvertTruncating<T, double>(source, target);

    private static int HeadSizeOf(Episode episode, ConvNet net) => episode.Ways * (net.FeatureSize + 1);

    private static Episode[] Check(IReadOnlyList<Episode> episodes)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        if (episodes.Count == 0)
        {
            throw new ArgumentException("the task pool needs at least one episode", nameof(episodes));
        }

        if (episodes[0] is null)
        {
            throw new ArgumentException("episode 0 is null", nameof(episodes));
        }

        return [.. episodes];
    }
}
