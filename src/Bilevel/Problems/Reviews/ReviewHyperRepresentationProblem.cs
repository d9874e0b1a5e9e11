using System.Numerics;
using Bilevel.Autodiff;
using Bilevel.Data.Text;
using Bilevel.Networks;
using Bilevel.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bilevel.Problems.Reviews;

/// <summary>
/// Paper 004 §4.1, eq. (3): hyper-representation learning on Amazon review domains. x = w, the 2-layer RNN encoder
/// φ_w (<see cref="RnnTextEncoder"/>, frozen word vectors, max over time); y = (θ_1 … θ_m), one linear 2-class head
/// θ_i = (W_i, b_i) per task of a fixed pool of m tasks (20 support + 20 query reviews of one training domain each,
/// <see cref="ReviewTaskSampler"/>);
/// g(w, θ) = (1/|B|) Σ_{i∈B} [CE_{S_i}(W_i φ_w + b_i) + (μ/2)‖θ_i‖²], f(w, θ) = (1/|B|) Σ_{i∈B} CE_{Q_i}(W_i φ_w + b_i),
/// each CE the mean over the task's support S_i or query Q_i reviews, B a batch of tasks (the meta-batch; paper: 20).
/// </summary>
/// <remarks>
/// <para>
/// <b>Tasks ↔ samples.</b> A sample is a task: lower sample i is task i's support set, upper sample i its query set, so
/// solvers' batch sizes are meta-batch sizes and heads outside the batch get zero gradient. The pool is fixed (paper
/// 004's code: 400 training tasks); μ (not reported) is a constructor argument, and (μ/2)‖θ_i‖² covers weights and bias
/// so g is (μ/|B|)-strongly convex in the batch's heads.
/// </para>
/// <para>
/// <b>Test tasks.</b> Held-out tasks (from the held-out domains) are scored as in meta-testing: for each, a head is fitted
/// on φ_w(support) by gradient descent on the strongly convex support loss and evaluated on its query set
/// (<see cref="EvaluateMetrics"/>: test accuracy and loss; training accuracy is the pool's query accuracy with the
/// current heads).
/// </para>
/// <para>
/// <b>Cost.</b> The features φ_w of every task's support and query reviews are cached for the current w (compared by
/// value): f, g, ∇y f, ∇y g and ∇²yy g·v alone touch only the heads. ∇x f and ∇x g run the RNN forward and one
/// backward pass seeded with ∂loss/∂φ. The cross product ∇²xy g·v = J_φ(w)ᵀ ψ with ψ = ∂⟨∇y g, v⟩/∂φ: one
/// forward-over-reverse pass on the heads with direction (0, v) gives ψ and ∇²yy g·v, then one ordinary backward pass
/// through the RNN (the pattern of <c>FewShotHyperRepresentationProblem</c>). Tasks run in groups of at most
/// a constructor-given number of rows per RNN pass.
/// </para>
/// </remarks>
/// <typeparam name="T">float (speed) or double (checks).</typeparam>
public sealed class ReviewHyperRepresentationProblem<T> : BilevelProblem, ITracedProblem
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Classes = 2;
    private readonly RnnTextEncoder _encoder;
    private readonly Tensor<T> _table;
    private readonly TokenRows _support;
    private readonly TokenRows _query;
    private readonly TokenRows _testSupport;
    private readonly TokenRows _testQuery;
    private readonly int _features;
    private readonly int _groupTasks;
    private readonly int[] _allTasks;
    private readonly T[] _x;
    private readonly T[] _gx;
    private readonly T[] _cross;
    private readonly double[] _cachedX;
    private readonly T[] _y;
    private readonly T[] _v;
    private readonly T[] _gy;
    private readonly T[] _hvp;
    private readonly T[] _supportCache;
    private readonly T[] _queryCache;
    private readonly bool[] _supportValid;
    private readonly bool[] _queryValid;
    private readonly T[] _groupFeatures;
    private readonly T[] _featureAdjoint;
    private readonly T[] _featureAdjointTangent;
    private readonly T[] _share;
    private readonly int[] _rowIndex;
    private readonly int[] _order;
    private readonly int[] _tokens;
    private readonly int[] _lengths;
    private readonly int[] _labels;
    private readonly Graph<T> _net = new(tangents: false);
    private readonly Graph<T> _first = new(tangents: false);
    private readonly Graph<T> _second = new(tangents: true);
    private bool _cacheHasX;

    /// <param name="table">Frozen word vectors V × D.</param>
    /// <param name="hiddenSize">H, the encoder's width and feature size (paper 004: 4096 hidden, 512 output).</param>
    /// <param name="tasks">The training task pool (m tasks, all with the same support and query sizes).</param>
    /// <param name="testTasks">Held-out tasks for the metrics (same sizes).</param>
    /// <param name="regularization">μ in (μ/2)‖θ_i‖².</param>
    /// <param name="maxLength">Tokens kept per review.</param>
    /// <param name="groupRows">Most rows per RNN pass.</param>
    public ReviewHyperRepresentationProblem(Tensor<T> table, int hiddenSize, IReadOnlyList<ReviewTask> tasks, IReadOnlyList<ReviewTask> testTasks,
        double regularization, int maxLength, int groupRows = 400)
        : this(table, new RnnTextEncoder(CheckTable(table), hiddenSize), CheckTasks(tasks, nameof(tasks)), CheckTasks(testTasks, nameof(testTasks)), regularization, maxLength, groupRows)
    {
    }

    private ReviewHyperRepresentationProblem(Tensor<T> table, RnnTextEncoder encoder, IReadOnlyList<ReviewTask> tasks, IReadOnlyList<ReviewTask> testTasks,
        double regularization, int maxLength, int groupRows)
        : base(encoder.Layout.Size, tasks.Count * Classes * (encoder.FeatureSize + 1), tasks.Count, tasks.Count)
    {
        if (!(regularization > 0) || double.IsInfinity(regularization))
        {
            throw new ArgumentOutOfRangeException(nameof(regularization), regularization, "μ must be positive (it makes g strongly convex in the heads)");
        }

        SupportSize = tasks[0].Support.Count;
        QuerySize = tasks[0].Query.Count;
        foreach (var task in tasks.Concat(testTasks))
        {
            if (task.Support.Count != SupportSize || task.Query.Count != QuerySize)
            {
                throw new ArgumentException($"every task needs {SupportSize} support and {QuerySize} query reviews; a task of {task.Domain} has {task.Support.Count} and {task.Query.Count}", nameof(tasks));
            }
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(groupRows, Math.Max(SupportSize, QuerySize));
        _table = table;
        _encoder = encoder;
        _features = encoder.FeatureSize;
        Regularization = regularization;
        HeadSize = Classes * (_features + 1);
        TaskCount = tasks.Count;
        TestDomains = [.. testTasks.Select(t => t.Domain).Distinct().Order(StringComparer.Ordinal)];
        TrainingDomains = [.. tasks.Select(t => t.Domain).Distinct().Order(StringComparer.Ordinal)];
        _support = TokenRows.FromBatches(tasks.Select(t => t.Support), maxLength);
        _query = TokenRows.FromBatches(tasks.Select(t => t.Query), maxLength);
        _testSupport = TokenRows.FromBatches(testTasks.Select(t => t.Support), maxLength);
        _testQuery = TokenRows.FromBatches(testTasks.Select(t => t.Query), maxLength);
        TestTaskCount = testTasks.Count;
        _groupTasks = groupRows / Math.Max(SupportSize, QuerySize);
        var rows = _groupTasks * Math.Max(SupportSize, QuerySize);
        var width = Math.Max(Math.Max(_support.Width, _query.Width), Math.Max(_testSupport.Width, _testQuery.Width));
        _allTasks = [.. Enumerable.Range(0, TaskCount)];
        _x = new T[UpperDimension];
        _gx = new T[UpperDimension];
        _cross = new T[UpperDimension];
        _cachedX = new double[UpperDimension];
        _y = new T[LowerDimension];
        _v = new T[LowerDimension];
        _gy = new T[LowerDimension];
        _hvp = new T[LowerDimension];
        _supportCache = new T[checked(_support.Count * _features)];
        _queryCache = new T[checked(_query.Count * _features)];
        _supportValid = new bool[TaskCount];
        _queryValid = new bool[TaskCount];
        _groupFeatures = new T[rows * _features];
        _featureAdjoint = new T[rows * _features];
        _featureAdjointTangent = new T[rows * _features];
        _share = new T[rows];
        _rowIndex = new int[rows];
        _order = new int[rows];
        _tokens = new int[checked(rows * width)];
        _lengths = new int[rows];
        _labels = new int[rows];
        Name = $"review-hyper-representation(H={hiddenSizeText(encoder)}, D={encoder.InputSize}, {TaskCount} tasks of {SupportSize}+{QuerySize}, μ={regularization:G3})";

        static string hiddenSizeText(RnnTextEncoder e) => e.HiddenSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public override string Name { get; }

    /// <summary>The encoder φ_w.</summary>
    public RnnTextEncoder Encoder => _encoder;

    /// <summary>m, the tasks of the pool.</summary>
    public int TaskCount { get; }

    /// <summary>Held-out tasks scored by the metrics.</summary>
    public int TestTaskCount { get; }

    public int SupportSize { get; }

    public int QuerySize { get; }

    /// <summary>μ.</summary>
    public double Regularization { get; }

    /// <summary>Values per head: 2 (H + 1), W_i row-major then b_i.</summary>
    public int HeadSize { get; }

    /// <summary>Domains the pool's tasks come from.</summary>
    public IReadOnlyList<string> TrainingDomains { get; }

    /// <summary>Domains of the held-out tasks.</summary>
    public IReadOnlyList<string> TestDomains { get; }

    /// <summary>Steps of the gradient descent that fits a held-out task's head.</summary>
    public int HeadFitSteps { get; init; } = 300;

    public IReadOnlyList<string> MetricNames { get; } = ["test accuracy", "test loss", "train accuracy"];

    /// <summary>A seeded x: the encoder's PyTorch-default U(±1/√H) (paper 004 F.1 writes U(−1, 1), which saturates the tanh units).</summary>
    public double[] InitialUpperPoint(int seed)
    {
        var values = new double[UpperDimension];
        _encoder.Initialize<double>(values, seed);
        return values;
    }

    public void EvaluateMetrics(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> values)
    {
        CheckLength(x, UpperDimension, nameof(x));
        CheckLength(y, LowerDimension, nameof(y));
        CheckLength(values, MetricNames.Count, nameof(values));
        SyncX(x);
        var (accuracy, loss) = HeldOutScore();
        values[0] = accuracy;
        values[1] = loss;
        values[2] = PoolQueryAccuracy(y);

        // The runner evaluates f, g (full pool) and these metrics between iterations, at the x the solver has just
        // written; forget the features they cached so that evaluation never makes the solver's next oracles cheaper.
        Array.Clear(_supportValid);
        Array.Clear(_queryValid);
    }

    /// <summary>Meta-test: a head fitted on each held-out task's support features, scored on its query (mean accuracy, mean CE).</summary>
    public (double Accuracy, double Loss) HeldOutScore(ReadOnlySpan<double> x)
    {
        CheckLength(x, UpperDimension, nameof(x));
        SyncX(x);
        return HeldOutScore();
    }

    protected override double UpperValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        Pass(x, y, default, batch, query: true, [], [], [], []);

    protected override double LowerValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch) =>
        Pass(x, y, default, batch, query: false, [], [], [], []);

    protected override void UpperGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch) =>
        Pass(x, y, default, batch, query: true, gradientX, gradientY, [], []);

    protected override void LowerGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch) =>
        Pass(x, y, default, batch, query: false, gradientX, gradientY, [], []);

    protected override void LowerSecondOrderCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch) =>
        Pass(x, y, v, batch, query: false, [], [], hvp, crossProduct);

    /// <summary>
    /// One oracle on the batch's tasks: the value, and whichever of ∇x, ∇y, ∇²yy·v, ∇²xy·v are wanted (non-empty).
    /// </summary>
    private double Pass(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v, Batch batch, bool query,
        Span<double> gradientX, Span<double> gradientY, Span<double> hvp, Span<double> crossProduct)
    {
        var tasks = batch.IsFull ? _allTasks : batch.Indices;
        SyncX(x);
        TensorPrimitives.ConvertTruncating(y, _y.AsSpan());
        var second = !v.IsEmpty;
        if (second)
        {
            TensorPrimitives.ConvertTruncating(v, _v.AsSpan());
            Array.Clear(_hvp);
        }

        Array.Clear(_gy);
        var throughNet = !gradientX.IsEmpty || !crossProduct.IsEmpty;
        var netGradient = !gradientX.IsEmpty ? _gx : _cross;
        if (throughNet)
        {
            Array.Clear(netGradient);
        }

        var backward = throughNet || !gradientY.IsEmpty || !hvp.IsEmpty;
        var perTask = query ? QuerySize : SupportSize;
        var set = query ? _query : _support;
        var share = T.One / T.CreateTruncating(tasks.Length);
        var value = 0.0;
        for (var start = 0; start < tasks.Length; start += _groupTasks)
        {
            var group = tasks.Slice(start, Math.Min(_groupTasks, tasks.Length - start));
            var rows = group.Length * perTask;
            for (var j = 0; j < group.Length; j++)
            {
                for (var r = 0; r < perTask; r++)
                {
                    _rowIndex[(j * perTask) + r] = (group[j] * perTask) + r;
                }
            }

            Variable<T>? features = null;
            if (throughNet)
            {
                _net.Reset();
                var xs = _encoder.Layout.Bind(_net, _x, null, netGradient);
                features = Encode(_net, xs, set, rows);
                features.Value.Span.CopyTo(_groupFeatures);
                for (var j = 0; j < group.Length; j++)
                {
                    _groupFeatures.AsSpan(j * perTask * _features, perTask * _features).CopyTo(Cache(query).AsSpan(group[j] * perTask * _features));
                    Valid(query)[group[j]] = true;
                }
            }
            else
            {
                EnsureCached(group, query);
                for (var j = 0; j < group.Length; j++)
                {
                    Cache(query).AsSpan(group[j] * perTask * _features, perTask * _features).CopyTo(_groupFeatures.AsSpan(j * perTask * _features));
                }
            }

            for (var k = 0; k < rows; k++)
            {
                _labels[k] = set.Labels[_rowIndex[k]];
            }

            _share.AsSpan(0, rows).Fill(share);
            _featureAdjoint.AsSpan(0, rows * _features).Clear();
            _featureAdjointTangent.AsSpan(0, rows * _features).Clear();
            var graph = second ? _second : _first;
            graph.Reset();
            Variable<T>? total = null;
            for (var j = 0; j < group.Length; j++)
            {
                var loss = TaskLoss(graph, group[j], j, perTask, query, throughNet, second, share);
                total = total is null ? loss : graph.Add(total, loss);
            }

            value += double.CreateTruncating(total!.Value[0]);
            if (!backward)
            {
                continue;
            }

            graph.Backward(total);
            if (features is not null)
            {
                var seed = second ? _featureAdjointTangent : _featureAdjoint;
                _net.Backward(_net.WeightedSum(features, new Tensor<T>(seed, 0, rows, _features)));
            }
        }

        if (!gradientY.IsEmpty)
        {
            TensorPrimitives.ConvertTruncating<T, double>(_gy, gradientY);
        }

        if (!hvp.IsEmpty)
        {
            TensorPrimitives.ConvertTruncating<T, double>(_hvp, hvp);
        }

        if (!gradientX.IsEmpty)
        {
            TensorPrimitives.ConvertTruncating<T, double>(_gx, gradientX);
        }

        if (!crossProduct.IsEmpty)
        {
            TensorPrimitives.ConvertTruncating<T, double>(_cross, crossProduct);
        }

        return value;
    }

    /// <summary>Task <paramref name="task"/>'s term (divided by |B|) on group slot <paramref name="slot"/>'s features.</summary>
    private Variable<T> TaskLoss(Graph<T> graph, int task, int slot, int perTask, bool query, bool featureAdjoints, bool tangent, T share)
    {
        var offset = slot * perTask * _features;
        var values = new Tensor<T>(_groupFeatures, offset, perTask, _features);
        var features = featureAdjoints
            ? graph.Parameter(values, null, new Tensor<T>(_featureAdjoint, offset, perTask, _features), new Tensor<T>(_featureAdjointTangent, offset, perTask, _features))
            : graph.Constant(values);
        var head = task * HeadSize;
        var weightSize = Classes * _features;
        var weight = graph.Parameter(
            new Tensor<T>(_y, head, Classes, _features),
            tangent ? new Tensor<T>(_v, head, Classes, _features) : null,
            new Tensor<T>(_gy, head, Classes, _features),
            tangent ? new Tensor<T>(_hvp, head, Classes, _features) : null);
        var bias = graph.Parameter(
            new Tensor<T>(_y, head + weightSize, Classes),
            tangent ? new Tensor<T>(_v, head + weightSize, Classes) : null,
            new Tensor<T>(_gy, head + weightSize, Classes),
            tangent ? new Tensor<T>(_hvp, head + weightSize, Classes) : null);
        var logits = graph.AddBias(graph.MatMul(features, weight, transposeB: true), bias);
        var rowWeights = graph.Constant(new Tensor<T>(_share, slot * perTask, perTask));
        var loss = graph.SoftmaxCrossEntropy(logits, _labels.AsMemory(slot * perTask, perTask), rowWeights);
        if (query)
        {
            return loss;
        }

        var scale = T.CreateTruncating(Regularization / 2) * share;
        return graph.Add(loss, graph.Add(graph.SumOfSquares(weight, scale), graph.SumOfSquares(bias, scale)));
    }

    private Variable<T> Encode(Graph<T> graph, Variable<T>[] xs, TokenRows set, int rows)
    {
        var width = set.Gather(_rowIndex.AsSpan(0, rows), _order, _tokens, _lengths, _labels, sortByLength: false);
        var embedded = graph.Embedding(graph.Constant(_table), _tokens.AsMemory(0, rows * width), rows, width, _lengths.AsMemory(0, rows));
        return _encoder.Forward(graph, xs, embedded, _lengths.AsMemory(0, rows));
    }

    /// <summary>Fills the cache for the group's tasks that miss it (one constant pass for all of them).</summary>
    private void EnsureCached(ReadOnlySpan<int> group, bool query)
    {
        var valid = Valid(query);
        var perTask = query ? QuerySize : SupportSize;
        var rows = 0;
        foreach (var task in group)
        {
            if (valid[task])
            {
                continue;
            }

            var seen = false;
            for (var k = 0; k < rows && !seen; k += perTask)
            {
                seen = _rowIndex[k] == task * perTask;
            }

            if (seen)
            {
                continue;
            }

            for (var r = 0; r < perTask; r++)
            {
                _rowIndex[rows + r] = (task * perTask) + r;
            }

            rows += perTask;
        }

        if (rows > 0)
        {
            _net.Reset();
            var features = Encode(_net, _encoder.Layout.Bind(_net, _x), query ? _query : _support, rows).Value.Span;
            for (var k = 0; k < rows; k += perTask)
            {
                var task = _rowIndex[k] / perTask;
                features.Slice(k * _features, perTask * _features).CopyTo(Cache(query).AsSpan(task * perTask * _features));
                valid[task] = true;
            }
        }

        // Restore the group's row indices (EnsureCached reused the buffer).
        for (var j = 0; j < group.Length; j++)
        {
            for (var r = 0; r < perTask; r++)
            {
                _rowIndex[(j * perTask) + r] = (group[j] * perTask) + r;
            }
        }
    }

    private T[] Cache(bool query) => query ? _queryCache : _supportCache;

    private bool[] Valid(bool query) => query ? _queryValid : _supportValid;

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

    private double PoolQueryAccuracy(ReadOnlySpan<double> y)
    {
        var correct = 0;
        for (var start = 0; start < TaskCount; start += _groupTasks)
        {
            var group = _allTasks.AsSpan(start, Math.Min(_groupTasks, TaskCount - start));
            EnsureCached(group, query: true);
        }

        for (var task = 0; task < TaskCount; task++)
        {
            var head = y.Slice(task * HeadSize, HeadSize);
            for (var r = 0; r < QuerySize; r++)
            {
                var row = (task * QuerySize) + r;
                var phi = _queryCache.AsSpan(row * _features, _features);
                var z0 = head[Classes * _features] + Dot(head[.._features], phi);
                var z1 = head[(Classes * _features) + 1] + Dot(head.Slice(_features, _features), phi);
                correct += (z1 > z0 ? 1 : 0) == _query.Labels[row] ? 1 : 0;
            }
        }

        return correct / (double)_query.Count;
    }

    /// <summary>Features of held-out rows, a head per task by gradient descent on (1/S) Σ CE + (μ/2)‖θ‖², scored on the query rows.</summary>
    private (double Accuracy, double Loss) HeldOutScore()
    {
        var support = HeldOutFeatures(_testSupport);
        var query = HeldOutFeatures(_testQuery);
        var head = new double[HeadSize];
        var gradient = new double[HeadSize];
        var correct = 0;
        var loss = 0.0;
        for (var task = 0; task < TestTaskCount; task++)
        {
            var s = support.AsSpan(task * SupportSize * _features, SupportSize * _features);
            var labels = _testSupport.Labels.AsSpan(task * SupportSize, SupportSize);
            var largest = 0.0;
            for (var r = 0; r < SupportSize; r++)
            {
                largest = Math.Max(largest, Dot(s.Slice(r * _features, _features), s.Slice(r * _features, _features)) + 1);
            }

            // The 2-class softmax CE has ∇² ≤ (1/2)‖(φ, 1)‖² per row: step 1/L with L = max_r ‖(φ_r, 1)‖²/2 + μ.
            var step = 1 / ((0.5 * largest) + Regularization);
            Array.Clear(head);
            for (var iteration = 0; iteration < HeadFitSteps; iteration++)
            {
                HeadLossGradient(s, labels, head, gradient);
                for (var i = 0; i < HeadSize; i++)
                {
                    head[i] -= step * (gradient[i] + (Regularization * head[i]));
                }
            }

            var q = query.AsSpan(task * QuerySize * _features, QuerySize * _features);
            var queryLabels = _testQuery.Labels.AsSpan(task * QuerySize, QuerySize);
            for (var r = 0; r < QuerySize; r++)
            {
                var phi = q.Slice(r * _features, _features);
                var z0 = head[Classes * _features] + Dot(head.AsSpan(0, _features), phi);
                var z1 = head[(Classes * _features) + 1] + Dot(head.AsSpan(_features, _features), phi);
                var max = Math.Max(z0, z1);
                var logSum = max + Math.Log(Math.Exp(z0 - max) + Math.Exp(z1 - max));
                loss += logSum - (queryLabels[r] == 1 ? z1 : z0);
                correct += (z1 > z0 ? 1 : 0) == queryLabels[r] ? 1 : 0;
            }
        }

        return (correct / (double)_testQuery.Count, loss / _testQuery.Count);
    }

    /// <summary>Gradient of the mean support CE of a 2-class head (no penalty).</summary>
    private void HeadLossGradient(ReadOnlySpan<double> features, ReadOnlySpan<int> labels, double[] head, double[] gradient)
    {
        Array.Clear(gradient);
        var n = labels.Length;
        for (var r = 0; r < n; r++)
        {
            var phi = features.Slice(r * _features, _features);
            var z0 = head[Classes * _features] + Dot(head.AsSpan(0, _features), phi);
            var z1 = head[(Classes * _features) + 1] + Dot(head.AsSpan(_features, _features), phi);
            var p1 = 1 / (1 + Math.Exp(z0 - z1));
            var r1 = (p1 - (labels[r] == 1 ? 1 : 0)) / n;
            var r0 = -r1;
            for (var j = 0; j < _features; j++)
            {
                gradient[j] += r0 * phi[j];
                gradient[_features + j] += r1 * phi[j];
            }

            gradient[Classes * _features] += r0;
            gradient[(Classes * _features) + 1] += r1;
        }
    }

    /// <summary>φ_w of every row of a held-out set, in double.</summary>
    private double[] HeldOutFeatures(TokenRows set)
    {
        var features = new double[set.Count * _features];
        var perGroup = _groupTasks * Math.Min(SupportSize, QuerySize);
        var rows = new int[perGroup];
        for (var start = 0; start < set.Count; start += perGroup)
        {
            var n = Math.Min(perGroup, set.Count - start);
            for (var i = 0; i < n; i++)
            {
                rows[i] = start + i;
            }

            var width = set.Gather(rows.AsSpan(0, n), _order, _tokens, _lengths, _labels, sortByLength: false);
            _net.Reset();
            var xs = _encoder.Layout.Bind(_net, _x);
            var embedded = _net.Embedding(_net.Constant(_table), _tokens.AsMemory(0, n * width), n, width, _lengths.AsMemory(0, n));
            var values = _encoder.Forward(_net, xs, embedded, _lengths.AsMemory(0, n)).Value.Span;
            TensorPrimitives.ConvertTruncating<T, double>(values, features.AsSpan(start * _features, n * _features));
        }

        return features;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<T> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * double.CreateTruncating(b[i]);
        }

        return sum;
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static int CheckTable(Tensor<T> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.Rank != 2)
        {
            throw new ArgumentException($"the word-vector table must be V × D, got [{string.Join(", ", table.Shape)}]", nameof(table));
        }

        return table.Shape[1];
    }

    private static IReadOnlyList<ReviewTask> CheckTasks(IReadOnlyList<ReviewTask> tasks, string name)
    {
        ArgumentNullException.ThrowIfNull(tasks, name);
        if (tasks.Count == 0)
        {
            throw new ArgumentException("at least one task is needed", name);
        }

        return tasks;
    }
}
