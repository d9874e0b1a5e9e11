using System.Numerics;
using Bilevel.Autodiff;
using Bilevel.Data.Omniglot;
using Bilevel.Networks;
using Bilevel.Tensors;
using MathNet.Numerics.Optimization;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Bilevel.Problems.HyperRepresentation;

/// <summary>
/// Few-shot accuracy over test tasks: the mean per-task query accuracy and the half-width of its normal 95 %
/// confidence interval, 1.96 · sd / √n with the sample standard deviation over the n tasks (NaN for n = 1).
/// </summary>
/// <param name="Mean">Mean query accuracy over the tasks.</param>
/// <param name="HalfWidth95">1.96 · sd / √n.</param>
/// <param name="PerTask">Each task's query accuracy, in task order.</param>
public sealed record FewShotAccuracy(double Mean, double HalfWidth95, IReadOnlyList<double> PerTask)
{
    /// <summary>Mean and interval of per-task accuracies.</summary>
    public static FewShotAccuracy FromTasks(IReadOnlyList<double> accuracies)
    {
        ArgumentNullException.ThrowIfNull(accuracies);
        if (accuracies.Count == 0)
        {
            throw new ArgumentException("no tasks", nameof(accuracies));
        }

        var n = accuracies.Count;
        var mean = accuracies.Average();
        if (n == 1)
        {
            return new FewShotAccuracy(mean, double.NaN, [.. accuracies]);
        }

        var variance = accuracies.Sum(a => (a - mean) * (a - mean)) / (n - 1);
        return new FewShotAccuracy(mean, 1.96 * Math.Sqrt(variance / n), [.. accuracies]);
    }

    public override string ToString() => $"{100 * Mean:F2} % ± {100 * HalfWidth95:F2} % (95 %, {PerTask.Count} tasks)";
}

/// <summary>
/// Meta-test evaluation of a feature extractor x (the hyper-representation): for each test task, the features
/// φ_x(S) and φ_x(Q) (batch statistics of each set, as in <see cref="FewShotHyperRepresentationProblem{T}"/>), the head
/// w* = argmin_w (1/|S|) Σ CE(W φ + b) + (C/2)‖w‖² fitted on the support features by L-BFGS (strongly convex, so
/// this is y*_i(x) of the lower level), and its accuracy on the query features; reported as a
/// <see cref="FewShotAccuracy"/> over the tasks.
/// </summary>
/// <typeparam name="T">The engine's number type for the ConvNet (the head fit runs in float64).</typeparam>
public sealed class FewShotEvaluator<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Pixels = OmniglotDataset.PixelCount;
    private readonly Graph<T> _graph = new(tangents: false);

    /// <param name="network">The feature extractor's architecture (x is laid out by its <see cref="ConvNet.Layout"/>).</param>
    /// <param name="regularization">C in (C/2)‖w‖², as the problem's <see cref="FewShotHyperRepresentationProblem{T}.Regularization"/>.</param>
    /// <param name="maxIterations">L-BFGS iterations per head.</param>
    /// <param name="gradientTolerance">Stop when ‖∇‖ of the head objective is below this.</param>
    public FewShotEvaluator(ConvNet network, double regularization = 0.02, int maxIterations = 100, double gradientTolerance = 1e-6)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!(regularization > 0) || double.IsInfinity(regularization))
        {
            throw new ArgumentOutOfRangeException(nameof(regularization), regularization, "C must be positive");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gradientTolerance);
        Network = network;
        Regularization = regularization;
        MaxIterations = maxIterations;
        GradientTolerance = gradientTolerance;
    }

    public ConvNet Network { get; }

    public double Regularization { get; }

    public int MaxIterations { get; }

    public double GradientTolerance { get; }

    /// <summary>Query accuracy of heads fitted on each episode's support set, over <paramref name="episodes"/>.</summary>
    public FewShotAccuracy Evaluate(ReadOnlySpan<double> x, IReadOnlyList<Episode> episodes)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        var parameters = Narrow(x);
        var accuracies = new double[episodes.Count];
        for (var i = 0; i < episodes.Count; i++)
        {
            var e = episodes[i];
            accuracies[i] = TaskAccuracy(parameters, e.Ways, e.SupportImages, e.SupportLabels, e.QueryImages, e.QueryLabels);
        }

        return FewShotAccuracy.FromTasks(accuracies);
    }

    /// <summary>
    /// The official 20-way one-shot runs (<see cref="OneShotRuns"/>): per run, the head is fitted on the 20 training
    /// images (class i = training image i) and scored on the 20 test images.
    /// </summary>
    public FewShotAccuracy Evaluate(ReadOnlySpan<double> x, OneShotRuns runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var parameters = Narrow(x);
        var accuracies = new double[runs.Count];
        var supportLabels = Enumerable.Range(0, OneShotRuns.ImagesPerRun).ToArray();
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            accuracies[i] = TaskAccuracy(parameters, OneShotRuns.ImagesPerRun, run.TrainingImages, supportLabels, run.TestImages, run.TestLabels);
        }

        return FewShotAccuracy.FromTasks(accuracies);
    }

    /// <summary>φ_x of <paramref name="count"/> 28×28 images (batch statistics over them), row-major count × F, in float64.</summary>
    public double[] Features(ReadOnlySpan<double> x, ReadOnlySpan<float> images, int count) => Features(Narrow(x), images, count);

    /// <summary>
    /// The head (W row-major, then b) minimizing (1/R) Σ_r CE(W φ_r + b, label_r) + (C/2)(‖W‖² + ‖b‖²) by L-BFGS
    /// from zero.
    /// </summary>
    public double[] FitHead(ReadOnlySpan<double> features, ReadOnlySpan<int> labels, int ways)
    {
        var rows = labels.Length;
        var f = features.Length / rows;
        var phi = features.ToArray();
        var y = labels.ToArray();
        var c = Regularization;
        var objective = ObjectiveFunction.Gradient(point =>
        {
            var head = point.AsArray() ?? point.ToArray();
            var gradient = new double[head.Length];
            var value = HeadLoss(phi, y, head, ways, f, c, gradient);
            return (value, MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(gradient));
        });
        var start = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(ways * (f + 1));
        var minimizer = new LimitedMemoryBfgsMinimizer(GradientTolerance, 1e-12, 1e-12, 10, MaxIterations);
        try
        {
            return minimizer.FindMinimum(objective, start).MinimizingPoint.ToArray();
        }
        catch (MaximumIterationsException)
        {
            // The budget ran out: the last evaluated point is what it bought (as LowerLevelFit).
            return (objective.Point ?? start).ToArray();
        }
    }

    /// <summary>The head objective and its gradient (written into <paramref name="gradient"/>).</summary>
    internal static double HeadLoss(double[] phi, int[] labels, double[] head, int ways, int f, double c, double[] gradient)
    {
        var rows = labels.Length;
        var logits = new double[ways];
        var value = 0.0;
        var weightSize = ways * f;
        Array.Clear(gradient);
        for (var r = 0; r < rows; r++)
        {
            var row = phi.AsSpan(r * f, f);
            for (var k = 0; k < ways; k++)
            {
                logits[k] = head[weightSize + k] + TensorPrimitives.Dot<double>(head.AsSpan(k * f, f), row);
            }

            var max = TensorPrimitives.Max<double>(logits);
            var sum = 0.0;
            for (var k = 0; k < ways; k++)
            {
                logits[k] = Math.Exp(logits[k] - max);
                sum += logits[k];
            }

            value += Math.Log(sum) - Math.Log(logits[labels[r]]);
            for (var k = 0; k < ways; k++)
            {
                var residual = ((logits[k] / sum) - (k == labels[r] ? 1 : 0)) / rows;
                TensorPrimitives.MultiplyAdd(row, residual, gradient.AsSpan(k * f, f), gradient.AsSpan(k * f, f));
                gradient[weightSize + k] += residual;
            }
        }

        TensorPrimitives.MultiplyAdd(head, c, gradient, gradient);
        return (value / rows) + (0.5 * c * TensorPrimitives.SumOfSquares<double>(head));
    }

    private double TaskAccuracy(T[] parameters, int ways, ReadOnlySpan<float> supportImages, ReadOnlySpan<int> supportLabels,
        ReadOnlySpan<float> queryImages, ReadOnlySpan<int> queryLabels)
    {
        var support = Features(parameters, supportImages, supportLabels.Length);
        var query = Features(parameters, queryImages, queryLabels.Length);
        if (!AllFinite(support) || !AllFinite(query))
        {
            // A diverged representation (float overflow in the ConvNet) classifies nothing: scored 0, not an exception.
            // Accuracy is a property of the representation; the run itself stops as diverged when x stops being finite.
            return 0;
        }

        double[] head;
        try
        {
            head = FitHead(support, supportLabels, ways);
        }
        catch (Exception e) when (e is InnerOptimizationException or EvaluationException)
        {
            // Features so large that the head objective overflows (a diverging representation): scored 0 as well.
            return 0;
        }

        return FewShotHyperRepresentationProblem<double>.HeadAccuracy(query, head, queryLabels, ways, Network.FeatureSize);
    }

    private static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (var value in values)
        {
            if (!double.IsFinite(value))
            {
                return false;
            }
        }

        return true;
    }

    private double[] Features(T[] parameters, ReadOnlySpan<float> images, int count)
    {
        if (images.Length != count * Pixels)
        {
            throw new ArgumentException($"{images.Length} pixels for {count} images of {Pixels}", nameof(images));
        }

        var graph = _graph;
        graph.Reset();
        var entries = Network.Layout.Entries;
        var xs = new Variable<T>[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            xs[i] = graph.Constant(new Tensor<T>(parameters, entries[i].Offset, entries[i].Shape));
        }

        var pixels = new T[images.Length];
        TensorPrimitives.ConvertTruncating<float, T>(images, pixels);
        var size = OmniglotDataset.ImageSize;
        var output = Network.Forward(graph, xs, graph.Constant(new Tensor<T>(pixels, 0, count, 1, size, size))).Value.Span;
        var features = new double[output.Length];
        TensorPrimitives.ConvertTruncating<T, double>(output, features);
        return features;
    }

    private T[] Narrow(ReadOnlySpan<double> x)
    {
        if (x.Length != Network.Layout.Size)
        {
            throw new ArgumentException($"x has length {x.Length}, expected {Network.Layout.Size} (the network's parameters)", nameof(x));
        }

        var parameters = new T[x.Length];
        TensorPrimitives.ConvertTruncating(x, parameters.AsSpan());
        return parameters;
    }
}
