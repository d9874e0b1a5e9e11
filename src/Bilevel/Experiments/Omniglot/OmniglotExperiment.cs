using Bilevel.Data.Omniglot;
using Bilevel.LinearSolvers;
using Bilevel.Problems.HyperRepresentation;
using Bilevel.Solvers;
using Bilevel.Traces;

using static Bilevel.Experiments.ReportFormat;

namespace Bilevel.Experiments.Omniglot;

/// <summary>One method's run: its trace and the final scores of its representation x.</summary>
/// <param name="Section">The notebook section.</param>
/// <param name="Shape">The task shape.</param>
/// <param name="Method">The method.</param>
/// <param name="Trace">The run's trace (metrics: training-task query and support accuracy, meta-test accuracy on the monitor tasks).</param>
/// <param name="Test">Meta-test accuracy on the test tasks (heads fitted by L-BFGS on each support set), with its 95% interval.</param>
/// <param name="OneShot">Accuracy on the 20 official 20-way one-shot runs, or null where not scored.</param>
/// <param name="InnerSteps">T of the robustness runs, else null.</param>
public sealed record OmniglotRun(OmniglotSection Section, FewShotShape Shape, OmniglotMethod Method, SolverTrace Trace, FewShotAccuracy Test,
    FewShotAccuracy? OneShot, int? InnerSteps = null)
{
    public string Label => Method.Label;

    /// <summary>Solver seconds.</summary>
    public double Seconds => Trace.Final.Seconds;

    /// <summary>Outer iterations.</summary>
    public long Iterations => Trace.Final.Iteration;

    /// <summary>The last traced value of a metric.</summary>
    public double FinalMetric(string name) => Trace.Value(Trace.Final, TraceQuantity.Metric, name);

    /// <summary>The traced metric at the last evaluation no later than <paramref name="seconds"/> (NaN before the first).</summary>
    public double MetricAt(string name, double seconds)
    {
        var value = double.NaN;
        foreach (var row in Trace.Rows)
        {
            if (row.Seconds > seconds)
            {
                break;
            }

            value = Trace.Value(row, TraceQuantity.Metric, name);
        }

        return value;
    }

    /// <summary>The largest traced value of a metric.</summary>
    public double PeakMetric(string name) => Trace.Values(TraceQuantity.Metric, name).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Max();
}

/// <summary>Paper 001's inner step for one shape: the measured smoothness L of the head problem and the step used.</summary>
public sealed record OmniglotInnerStep(FewShotShape Shape, double Smoothness, double Step);

/// <summary>What one run of notebook 03's experiments measured.</summary>
public sealed class OmniglotReport
{
    internal OmniglotReport(OmniglotSettings settings, string data, IReadOnlyList<OmniglotRun> runs, IReadOnlyDictionary<string, FewShotAccuracy> random,
        FewShotAccuracy randomOneShot, IReadOnlyList<OmniglotInnerStep> innerSteps, double seconds)
    {
        InnerSteps = innerSteps;
        Settings = settings;
        Data = data;
        Runs = runs;
        RandomFeatures = random;
        RandomOneShot = randomOneShot;
        Seconds = seconds;
        Claims = OmniglotClaims.Check(this);
    }

    public OmniglotSettings Settings { get; }

    /// <summary>The data and split, in words.</summary>
    public string Data { get; }

    public IReadOnlyList<OmniglotRun> Runs { get; }

    /// <summary>Meta-test accuracy of the untrained ConvNet (the shared seeded initialization) per shape ("5-way 5-shot" …).</summary>
    public IReadOnlyDictionary<string, FewShotAccuracy> RandomFeatures { get; }

    /// <summary>The untrained ConvNet on the official one-shot runs.</summary>
    public FewShotAccuracy RandomOneShot { get; }

    /// <summary>Paper 001's inner step per shape (the paper's 0.4, or 1/L where that is unstable).</summary>
    public IReadOnlyList<OmniglotInnerStep> InnerSteps { get; }

    /// <summary>Wall-clock seconds of the whole experiment.</summary>
    public double Seconds { get; }

    public IReadOnlyList<ClaimCheck> Claims { get; }

    /// <summary>The runs of one section (and shape).</summary>
    public IReadOnlyList<OmniglotRun> Section(OmniglotSection section, FewShotShape? shape = null) =>
        [.. Runs.Where(r => r.Section == section && (shape is null || r.Shape == shape))];
}

/// <summary>Runs notebook 03's experiments (papers 001 and 002 on Omniglot hyper-representation).</summary>
public static class OmniglotExperiment
{
    /// <summary>The traced meta-test accuracy (on the monitor tasks).</summary>
    public const string MetaTest = "meta-test accuracy";

    /// <summary>The traced training accuracy (query accuracy of the adapted heads on the current meta-train tasks).</summary>
    public const string Training = "query accuracy";

    /// <summary>Progress steps of <see cref="Run"/>.</summary>
    public static int ProgressSteps(OmniglotSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return 1 + settings.AllShapes().Count + (settings.Paper001Shapes.Count * (OmniglotSettings.Paper001Methods(literal: true).Count + 1)) + OmniglotSettings.Paper002Methods().Count
            + OmniglotSettings.RobustnessMethods().Count;
    }

    /// <summary>Runs every section.</summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static OmniglotReport Run(OmniglotSettings settings, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var dataset = OmniglotSetups.Dataset();
        var oneShot = OmniglotSetups.OneShot();
        var data = $"Omniglot, bundled background subsets: {dataset.Alphabets.Count} alphabets, {dataset.CharacterCount} characters, {dataset.ImageCount} images "
            + $"(28×28, ink = 1); split by alphabet: meta-train {string.Join(", ", OmniglotSplit.MetaTrain)} (with 90° rotations as new classes), "
            + $"meta-validation {string.Join(", ", OmniglotSplit.MetaValidation)}, meta-test {string.Join(", ", OmniglotSplit.MetaTest)}; "
            + $"plus the {oneShot.Count} official 20-way one-shot runs";
        progress?.Report($"data: {dataset.CharacterCount} characters, {dataset.ImageCount} images, {oneShot.Count} one-shot runs");

        // Test and monitor tasks: fixed per shape, the same for every method.
        var tests = new Dictionary<FewShotShape, Episode[]>();
        var monitors = new Dictionary<FewShotShape, Episode[]>();
        var random = new Dictionary<string, FewShotAccuracy>();
        var reference = new FewShotHyperRepresentationProblem<float>(Pool(settings, OmniglotSettings.Paper002Shape, 1, settings.Seed), settings.Filters, regularization: OmniglotSettings.Regularization);
        var x0 = reference.InitialUpperPoint(settings.Seed);
        var evaluator = reference.CreateEvaluator();
        foreach (var shape in settings.AllShapes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sampler = OmniglotSetups.Sampler(OmniglotSplitPart.MetaTest, rotations: false, seed: settings.Seed + 1000);
            tests[shape] = FewShotTasks.Sample(sampler, settings.TestEpisodes, shape.Ways, shape.Shots, settings.TestQueries);
            monitors[shape] = FewShotTasks.Sample(sampler, settings.MonitorEpisodes, shape.Ways, shape.Shots, settings.TestQueries);
            random[shape.ToString()] = evaluator.Evaluate(x0, tests[shape]);
            progress?.Report($"untrained ConvNet, {shape}: {random[shape.ToString()]}");
        }

        var randomOneShot = evaluator.Evaluate(x0, oneShot);
        var runs = new List<OmniglotRun>();

        void Execute(OmniglotSection section, FewShotShape shape, OmniglotMethod method, int tasks, double seconds, int? innerSteps = null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!settings.Includes(method))
            {
                progress?.Report($"{section} {shape} {method.Label}: skipped (not selected)");
                return;
            }

            var sampler = OmniglotSetups.Sampler(OmniglotSplitPart.MetaTrain, rotations: true, seed: settings.Seed);
            var problem = new FewShotHyperRepresentationProblem<float>(Pool(settings, shape, tasks, settings.Seed), settings.Filters, regularization: OmniglotSettings.Regularization)
            {
                MonitorEpisodes = monitors[shape],
            };
            var run = new RunSettings(new RunBudget(10_000_000) { Seconds = seconds }, settings.Seed)
            {
                Schedule = EvaluationSchedule.Logarithmic(settings.PointsPerDecade),
                UpperStart = x0,
                BeforeIteration = state =>
                {
                    problem.Resample(sampler);
                    if (method.ResetHeads)
                    {
                        Array.Clear(state.Y);
                    }
                },
            };
            var trace = SolverRunner.Run(method.Method.CreateSolver(), problem, run, null, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            var x = trace.FinalUpper!.ToArray();
            var test = evaluator.Evaluate(x, tests[shape]);
            var one = section == OmniglotSection.Robustness ? null : evaluator.Evaluate(x, oneShot);
            runs.Add(new OmniglotRun(section, shape, method, trace, test, one, innerSteps));
            progress?.Report($"{section} {shape} {method.Label}: meta-test {test} after {trace.Final.Iteration} iterations, {trace.Final.Seconds:F1} s ({trace.StopReason})");
        }

        var steps = new List<OmniglotInnerStep>();
        foreach (var shape in settings.Paper001Shapes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            steps.Add(InnerStep(settings, shape, x0));
            progress?.Report($"{shape}: largest ∇²yy g eigenvalue {steps[^1].Smoothness:G4} at the start; inner step α = γ = {steps[^1].Step:G4}");
            var methods = OmniglotSettings.Paper001Methods(steps[^1].Step, literal: steps[^1].Step < OmniglotSettings.Paper001InnerStep);
            foreach (var method in methods)
            {
                Execute(OmniglotSection.Paper001, shape, method, settings.Paper001TasksPerStep, settings.Paper001Seconds);
            }

            if (methods.Count < OmniglotSettings.Paper001Methods(literal: true).Count)
            {
                progress?.Report($"{shape}: the paper's α = 0.4 is stable here; no extra run");
            }
        }

        foreach (var method in OmniglotSettings.Paper002Methods())
        {
            Execute(OmniglotSection.Paper002, OmniglotSettings.Paper002Shape, method, settings.Paper002TaskBatch, settings.Paper002Seconds);
        }

        foreach (var (innerSteps, method) in OmniglotSettings.RobustnessMethods())
        {
            Execute(OmniglotSection.Robustness, OmniglotSettings.Paper002Shape, method, settings.Paper002TaskBatch, settings.RobustnessSeconds, innerSteps);
        }

        return new OmniglotReport(settings, data, runs, random, randomOneShot, steps, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Paper 001's inner step α = 0.4 checked against the head problem's smoothness on this network: L = the largest
    /// eigenvalue of ∇²yy g at the shared start (x₀, y = 0), by power iteration, the maximum over 8 meta-train tasks of
    /// the shape (one task per step, as the runs). Gradient descent and the Jacobian recursion J ← J(I − γ∇²yy g) − γ∇²xy g
    /// are stable only for α, γ &lt; 2/L; the runs use α = γ = min(0.4, 1/L), and the report keeps L and the choice.
    /// </summary>
    public static OmniglotInnerStep InnerStep(OmniglotSettings settings, FewShotShape shape, ReadOnlySpan<double> x0)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(shape);
        var sampler = OmniglotSetups.Sampler(OmniglotSplitPart.MetaTrain, rotations: true, seed: settings.Seed + 700);
        var largest = 0.0;
        for (var task = 0; task < 8; task++)
        {
            var problem = new FewShotHyperRepresentationProblem<float>([sampler.Sample(shape.Ways, shape.Shots, settings.Queries)], settings.Filters, regularization: OmniglotSettings.Regularization);
            var y = new double[problem.LowerDimension];
            largest = Math.Max(largest, PowerIteration.LargestEigenvalue(new LowerHessianOperator(problem).Bind(x0, y), 200, 1e-6, seed: task).Eigenvalue);
        }

        return new OmniglotInnerStep(shape, largest, Math.Min(OmniglotSettings.Paper001InnerStep, 1 / largest));
    }

    /// <summary>The initial task pool of a run (replaced before the first iteration; fixes the problem's shape).</summary>
    private static Episode[] Pool(OmniglotSettings settings, FewShotShape shape, int tasks, int seed) =>
        FewShotTasks.Sample(OmniglotSetups.Sampler(OmniglotSplitPart.MetaTrain, rotations: true, seed: seed + 500), tasks, shape.Ways, shape.Shots, settings.Queries);

    /// <summary>Meta-test accuracy ± 95% half-width, in percent.</summary>
    public static string Accuracy(FewShotAccuracy accuracy)
    {
        ArgumentNullException.ThrowIfNull(accuracy);
        return $"{Percent(accuracy.Mean)} ± {Number(100 * accuracy.HalfWidth95)}";
    }
}
