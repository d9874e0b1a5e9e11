using System.Diagnostics;
using Bilevel.Data.Text;
using Bilevel.Numerics;
using Bilevel.Problems;
using Bilevel.Problems.Reviews;
using Bilevel.Solvers;
using Bilevel.Traces;

namespace Bilevel.Experiments.Reviews;

/// <summary>One method's runs (one trace per seed) on one task.</summary>
/// <param name="Task">The task.</param>
/// <param name="Dataset">"Amazon reviews", "Sentiment140 p = 0.3", …</param>
/// <param name="CorruptionRate">p for hyper-cleaning, else 0.</param>
/// <param name="Method">The solver and its settings.</param>
/// <param name="Traces">One trace per seed.</param>
/// <param name="Group">null for the main comparison; "radius", "period", "lower steps", "large period", "100-d" for the ablations.</param>
/// <param name="Parameter">The ablated value (R, I, N), or NaN.</param>
public sealed record ReviewRun(ReviewTaskKind Task, string Dataset, double CorruptionRate, ExperimentMethod Method, IReadOnlyList<SolverTrace> Traces,
    string? Group = null, double Parameter = double.NaN)
{
    public string Label => Method.Label;

    /// <summary>Median over seeds of a final metric.</summary>
    public double FinalMetric(string name) => ReviewsExperiment.Median(Traces.Where(t => t.MetricNames.Contains(name)).Select(t => t.Value(t.Final, TraceQuantity.Metric, name)));

    /// <summary>Median over seeds of the final test accuracy.</summary>
    public double TestAccuracy => FinalMetric("test accuracy");

    /// <summary>
    /// BO-REP only: the median over seeds of the fraction of UpdateLower's SGD steps that left the ball B(y_k, R), so
    /// the projection moved y (<see cref="Solvers.Paper004.BoRep.State.ProjectedSteps"/>); null for other solvers or
    /// when no lower step ran.
    /// </summary>
    public double? ProjectedFraction => MedianDiagnostic(d =>
        d.TryGetValue(Solvers.Paper004.BoRep.LowerUpdateStepsName, out var steps) && steps > 0 && d.TryGetValue(Solvers.Paper004.BoRep.ProjectedStepsName, out var projected)
            ? projected / steps
            : null);

    /// <summary>BO-REP only: the median over seeds of the largest ‖y − y_k‖ of an UpdateLower step before projection; null otherwise.</summary>
    public double? LargestLowerDisplacement => MedianDiagnostic(d => d.TryGetValue(Solvers.Paper004.BoRep.LargestDisplacementName, out var value) ? value : null);

    /// <summary>The median over seeds of a value read from each trace's diagnostics; null when no trace has it.</summary>
    private double? MedianDiagnostic(Func<IReadOnlyDictionary<string, double>, double?> read)
    {
        var values = new List<double>();
        foreach (var trace in Traces)
        {
            if (read(trace.Diagnostics) is { } value)
            {
                values.Add(value);
            }
        }

        return values.Count > 0 ? ReviewsExperiment.Median(values) : null;
    }

    /// <summary>Median over seeds of the final upper-level (query or validation) loss.</summary>
    public double FinalUpperLoss => ReviewsExperiment.Median(Traces.Select(t => t.Final.UpperLoss));

    /// <summary>Median over seeds of the final lower-level (training) loss.</summary>
    public double FinalLowerLoss => ReviewsExperiment.Median(Traces.Select(t => t.Final.LowerLoss));

    public double Seconds => ReviewsExperiment.Median(Traces.Select(t => t.Final.Seconds));

    public double Iterations => ReviewsExperiment.Median(Traces.Select(t => (double)t.Final.Iteration));

    /// <summary>Median over seeds of the first solver second at which the test accuracy is ≥ <paramref name="target"/>; null when fewer than half of the seeds get there.</summary>
    public double? SecondsToReach(double target)
    {
        var seconds = new List<double>();
        foreach (var trace in Traces)
        {
            foreach (var row in trace.Rows)
            {
                if (trace.Value(row, TraceQuantity.Metric, "test accuracy") >= target)
                {
                    seconds.Add(row.Seconds);
                    break;
                }
            }
        }

        return 2 * seconds.Count >= Traces.Count && seconds.Count > 0 ? ReviewsExperiment.Median(seconds) : null;
    }

    /// <summary>"hyper-representation", "hyperparameter", "hyper-cleaning p = 0.3".</summary>
    public string TaskName => ReviewsExperiment.TaskName(Task, CorruptionRate);
}

/// <summary>One step of the Appendix G check: gradient norms at u_k and the local smoothness ‖∇f(u_{k+1}) − ∇f(u_k)‖/‖u_{k+1} − u_k‖ per level.</summary>
public sealed record SmoothnessPoint(long Iteration, double UpperGradientNorm, double UpperSmoothness, double LowerGradientNorm, double LowerSmoothness);

/// <summary>
/// A hyper-cleaning reference outside the bilevel methods: the classifier trained by SGD on the corrupted tweets for
/// <see cref="ReviewsSettings.ReferenceSteps"/> steps, with every weight equal (<paramref name="CleanOnly"/> false: no cleaning) or with the
/// flipped tweets' weights set to 0 (true: the true corruption mask, what a perfect cleaner would hand the lower level).
/// A refit (<see cref="ReviewsReport.Refits"/>) is the same training with the weights σ(xᵢ) a bilevel method learned
/// (<paramref name="WeightsFrom"/> names it, the run of the same seed).
/// </summary>
public sealed record CleaningReference(double CorruptionRate, int Seed, bool CleanOnly, double TestAccuracy, double TestLoss, long Steps, string? WeightsFrom = null);

/// <summary>The labelled reviews a supervised encoder (<see cref="SupervisedReference"/>) is trained on.</summary>
public enum SupervisedData
{
    /// <summary>The reviews of the bilevel pool's tasks, their labels used directly.</summary>
    Pool,

    /// <summary>Every labelled review of the train files outside the held-out domains.</summary>
    TrainingDomains,
}

/// <summary>
/// The hyper-representation reference outside the bilevel methods (beyond the paper): the encoder and a linear head
/// trained directly on review labels (Adam, <see cref="ReviewsExperiment.SupervisedRate"/>, batches of
/// <see cref="ReviewsSettings.HpoBatch"/>, from the bilevel runs' encoder start), then scored exactly as the bilevel
/// runs are, by 20-shot heads on the held-out domains' tasks, at the checkpoint with the best accuracy on training-domain
/// test-file reviews (early stopping, <see cref="ReviewsExperiment.SupervisedCheckpointSteps"/>). On
/// <see cref="SupervisedData.TrainingDomains"/> it is an estimate of what an encoder of this size can give the heads.
/// </summary>
/// <param name="Data">Which reviews it was trained on.</param>
/// <param name="Reviews">Training reviews.</param>
/// <param name="Steps">Adam steps taken in the budget.</param>
/// <param name="Seconds">Training seconds (evaluation excluded).</param>
/// <param name="HeldOutAccuracy">Mean query accuracy of the held-out tasks' 20-shot heads.</param>
/// <param name="HeldOutLoss">Their mean query cross entropy.</param>
/// <param name="SameDomainAccuracy">The classifier's own accuracy on up to 2000 test-file reviews of the training domains at the chosen checkpoint (the early-stopping criterion).</param>
public sealed record SupervisedReference(SupervisedData Data, int Reviews, long Steps, double Seconds, double HeldOutAccuracy, double HeldOutLoss, double SameDomainAccuracy)
{
    /// <summary>Adam steps at the checkpoint with the best <see cref="SameDomainAccuracy"/> (early stopping), whose encoder is scored.</summary>
    public long BestSteps { get; init; }

    /// <summary>The training data in tables and claims: "pool", "training domains".</summary>
    public string DataName => Data == SupervisedData.Pool ? "pool" : "training domains";
}

/// <summary>What one run of the reviews experiment measured.</summary>
public sealed class ReviewsReport
{
    internal ReviewsReport(ReviewsSettings settings, IReadOnlyList<string> data, IReadOnlyList<ReviewRun> runs, IReadOnlyList<SmoothnessPoint> smoothness,
        IReadOnlyList<CleaningReference> baselines, IReadOnlyList<CleaningReference> refits, IReadOnlyList<SupervisedReference> supervised,
        IReadOnlyList<string> testDomains, double seconds, int testTweets = 0)
    {
        Refits = refits;
        TestTweets = testTweets;
        Settings = settings;
        Data = data;
        Runs = runs;
        Smoothness = smoothness;
        Baselines = baselines;
        Supervised = supervised;
        TestDomains = testDomains;
        Seconds = seconds;
        Claims = ReviewsClaims.Check(this);
    }

    public ReviewsSettings Settings { get; }

    /// <summary>One line per data set (sizes, vectors, truncation).</summary>
    public IReadOnlyList<string> Data { get; }

    public IReadOnlyList<ReviewRun> Runs { get; }

    public IReadOnlyList<SmoothnessPoint> Smoothness { get; }

    /// <summary>The hyper-cleaning references: uniform weights and clean subset, per rate and seed.</summary>
    public IReadOnlyList<CleaningReference> Baselines { get; }

    /// <summary>
    /// The cleaned models: per rate and seed, the classifier trained as the uniform-weight reference (SGD, the same
    /// <see cref="ReviewsSettings.ReferenceSteps"/> steps) but with the weights σ(xᵢ) learned by BO-REP and by the baseline with the lowest final validation loss.
    /// </summary>
    public IReadOnlyList<CleaningReference> Refits { get; }

    /// <summary>The supervised encoders of the hyper-representation task (pool, training domains).</summary>
    public IReadOnlyList<SupervisedReference> Supervised { get; }

    /// <summary>Test tweets of the hyper-cleaning task (one tweet is 1/TestTweets of accuracy); 0 when not known.</summary>
    public int TestTweets { get; }

    /// <summary>The held-out domains of the hyper-representation task.</summary>
    public IReadOnlyList<string> TestDomains { get; }

    /// <summary>Wall-clock seconds of the whole experiment (data, runs, evaluation).</summary>
    public double Seconds { get; }

    public IReadOnlyList<ClaimCheck> Claims { get; }

    /// <summary>The main comparison on one task (hyper-cleaning: at rate <paramref name="rate"/>).</summary>
    public IReadOnlyList<ReviewRun> Main(ReviewTaskKind task, double rate = 0) =>
        [.. Runs.Where(r => r.Group is null && r.Task == task && (task != ReviewTaskKind.HyperCleaning || Math.Abs(r.CorruptionRate - rate) < 1e-12))];

    /// <summary>Runs of one ablation group.</summary>
    public IReadOnlyList<ReviewRun> Group(string group) => [.. Runs.Where(r => r.Group == group)];

    /// <summary>The main comparisons: (task, rate) in order.</summary>
    public IReadOnlyList<(ReviewTaskKind Task, double Rate)> Comparisons =>
        [(ReviewTaskKind.HyperRepresentation, 0), (ReviewTaskKind.Hyperparameter, 0), .. Settings.CleaningRates.Select(p => (ReviewTaskKind.HyperCleaning, p))];
}

/// <summary>Runs paper 004's three text experiments, its ablations and checks (notebook 04, <c>bilevel reproduce reviews</c>).</summary>
public static class ReviewsExperiment
{
    /// <summary>Progress reports of <see cref="Run"/>.</summary>
    public static int ProgressSteps(ReviewsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var main = settings.Seeds * (settings.Methods(ReviewTaskKind.HyperRepresentation).Count + settings.Methods(ReviewTaskKind.Hyperparameter).Count
            + (settings.CleaningRates.Count * (settings.Methods(ReviewTaskKind.HyperCleaning).Count + 2 + 2)));
        var ablations = settings.Radii.Count(r => r != 0.5) + settings.Periods.Count(i => i != 2) + settings.LowerStepCounts.Count(n => n != 3);
        return 2 + main + 2 + ablations + 3 + 1 + 3;
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : TraceBand.Quantile(sorted, 0.5);
    }

    /// <summary>The task's name in tables.</summary>
    public static string TaskName(ReviewTaskKind task, double rate = 0) => task switch
    {
        ReviewTaskKind.HyperRepresentation => "hyper-representation",
        ReviewTaskKind.Hyperparameter => "hyperparameter optimization",
        _ => $"hyper-cleaning p = {rate.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}",
    };

    /// <summary>Runs everything of <paramref name="settings"/>.</summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static ReviewsReport Run(ReviewsSettings settings, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        var runs = new List<ReviewRun>();
        var data = new List<string>();
        var set50 = Problems(settings, 50);
        data.AddRange(set50.Description);
        progress?.Report($"data: {set50.Description[0]}");

        RunSettings Budget(double? seconds, IReadOnlyList<double> x0, IReadOnlyList<double> y0) =>
            new(new RunBudget(settings.Iterations) { Seconds = seconds }) { Schedule = EvaluationSchedule.Logarithmic(settings.EvaluationsPerDecade), UpperStart = x0, LowerStart = y0 };

        ReviewRun Execute(ProblemSet set, ReviewTaskKind task, double rate, ExperimentMethod method, IReadOnlyList<int> seeds, double? seconds, string? group = null,
            double parameter = double.NaN)
        {
            var (problem, x0, y0) = set.For(task, rate);
            var traces = new List<SolverTrace>();
            foreach (var seed in seeds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                traces.Add(SolverRunner.Run(method.CreateSolver(), problem, Budget(seconds, x0, y0) with { Seed = seed }, null, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
                var final = traces[^1];
                progress?.Report($"{TaskName(task, rate)}: {method.Label}{(group is null ? "" : $" ({group} {parameter})")} seed {seed}: test accuracy "
                    + $"{final.Value(final.Final, TraceQuantity.Metric, "test accuracy"):P1} after {final.Final.Iteration} iterations, {final.Final.Seconds:F1} s ({final.StopReason})");
            }

            var run = new ReviewRun(task, set.DatasetName(task, rate), rate, method, traces, group, parameter);
            runs.Add(run);
            return run;
        }

        // Main comparisons (§4.1–4.3; Figs. 1, 2, 3, 6).
        foreach (var (task, rate) in Comparisons(settings))
        {
            foreach (var method in settings.Methods(task))
            {
                Execute(set50, task, rate, method, settings.SeedList, settings.Seconds);
            }
        }

        // The hyper-cleaning references: uniform weights (no cleaning) and the clean subset (the true mask).
        var baselines = new List<CleaningReference>();
        foreach (var rate in settings.CleaningRates)
        {
            foreach (var seed in settings.SeedList)
            {
                foreach (var cleanOnly in new[] { false, true })
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    baselines.Add(CleaningBaseline(set50, settings, rate, seed, cleanOnly));
                    progress?.Report($"{(cleanOnly ? "clean-subset" : "uncleaned")} reference p = {rate} seed {seed}: test accuracy {baselines[^1].TestAccuracy:P1} after {baselines[^1].Steps} SGD steps");
                }
            }
        }

        // The cleaned models: the same SGD with the weights learned by BO-REP and by the baseline whose run ends at the
        // lowest validation loss (chosen without test data), seed by seed.
        var refits = new List<CleaningReference>();
        foreach (var rate in settings.CleaningRates)
        {
            var cleaningRuns = runs.Where(r => r.Group is null && r.Task == ReviewTaskKind.HyperCleaning && Math.Abs(r.CorruptionRate - rate) < 1e-12).ToList();
            var boRep = cleaningRuns.First(r => r.Method.Solver == "bo-rep");
            var bestBaseline = cleaningRuns.Where(r => r.Method.Solver != "bo-rep").MinBy(r => r.FinalUpperLoss)!;
            foreach (var run in new[] { boRep, bestBaseline })
            {
                foreach (var trace in run.Traces)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    refits.Add(CleaningBaseline(set50, settings, rate, trace.Seed, cleanOnly: false, trace.FinalUpper ?? throw new InvalidOperationException($"{run.Label} seed {trace.Seed} has no final weights")) with { WeightsFrom = run.Label });
                    progress?.Report($"refit on {run.Label}'s weights p = {rate} seed {trace.Seed}: test accuracy {refits[^1].TestAccuracy:P1} after {refits[^1].Steps} SGD steps");
                }
            }
        }

        // The supervised encoders (beyond the paper): what direct training on the labels hands the 20-shot heads.
        var supervised = new List<SupervisedReference>();
        foreach (var reviews in Enum.GetValues<SupervisedData>())
        {
            supervised.Add(Supervised(set50, settings, reviews, cancellationToken));
            progress?.Report($"supervised encoder ({supervised[^1].DataName}, {supervised[^1].Reviews} reviews): held-out 20-shot accuracy {supervised[^1].HeldOutAccuracy:P1} at Adam step {supervised[^1].BestSteps} of {supervised[^1].Steps}");
        }

        // Table 3 (R), Fig. 7 (I, N) on hyper-representation, seed 0; the R = 0.5, I = 2, N = 3 points are the main BO-REP run's seed 0.
        var hr = ReviewTaskKind.HyperRepresentation;
        var mainBoRep = runs.First(r => r.Task == hr && r.Group is null && r.Method.Solver == "bo-rep");
        var seed0 = new[] { 0 };
        var seed0Traces = mainBoRep.Traces.Take(1).ToList();
        foreach (var radius in settings.Radii)
        {
            if (radius == 0.5)
            {
                runs.Add(mainBoRep with { Traces = seed0Traces, Group = "radius", Parameter = radius, Method = mainBoRep.Method with { Label = "BO-REP R=0.5" } });
                continue;
            }

            Execute(set50, hr, 0, settings.BoRep(hr, radius: radius, label: $"BO-REP R={radius}"), seed0, settings.AblationSeconds, "radius", radius);
        }

        foreach (var period in settings.Periods)
        {
            if (period == 2)
            {
                runs.Add(mainBoRep with { Traces = seed0Traces, Group = "period", Parameter = period, Method = mainBoRep.Method with { Label = "BO-REP I=2" } });
                continue;
            }

            Execute(set50, hr, 0, settings.BoRep(hr, period: period, label: $"BO-REP I={period}"), seed0, settings.AblationSeconds, "period", period);
        }

        foreach (var steps in settings.LowerStepCounts)
        {
            if (steps == 3)
            {
                runs.Add(mainBoRep with { Traces = seed0Traces, Group = "lower steps", Parameter = steps, Method = mainBoRep.Method with { Label = "BO-REP N=3" } });
                continue;
            }

            Execute(set50, hr, 0, settings.BoRep(hr, lowerSteps: steps, label: $"BO-REP N={steps}"), seed0, settings.AblationSeconds, "lower steps", steps);
        }

        // Fig. 8: N = 16, I = 12 on every task (smaller lower rates for (b) and (c), App. K); hyper-cleaning at the largest p.
        var largest = settings.CleaningRates.Max();
        Execute(set50, hr, 0, settings.BoRep(hr, period: 12, lowerSteps: 16, label: "BO-REP N=16 I=12"), seed0, settings.Seconds, "large period", 12);
        Execute(set50, ReviewTaskKind.Hyperparameter, 0, settings.BoRep(ReviewTaskKind.Hyperparameter, period: 12, lowerSteps: 16, lowerRate: 8e-4, label: "BO-REP N=16 I=12"),
            seed0, settings.Seconds, "large period", 12);
        Execute(set50, ReviewTaskKind.HyperCleaning, largest, settings.BoRep(ReviewTaskKind.HyperCleaning, period: 12, lowerSteps: 16, lowerRate: 5e-3, label: "BO-REP N=16 I=12"),
            seed0, settings.Seconds, "large period", 12);

        // Appendix G: local smoothness against gradient norm along BO-REP on hyper-representation.
        var smoothness = SmoothnessCheck(set50, settings, cancellationToken);
        progress?.Report($"Appendix G: {smoothness.Count} smoothness estimates along BO-REP");

        // Beyond the paper: 100-d word vectors for BO-REP on every task.
        var set100 = Problems(settings, 100);
        data.AddRange(set100.Description);
        progress?.Report($"data: {set100.Description[0]}");
        Execute(set100, hr, 0, settings.BoRep(hr, label: "BO-REP 100-d"), seed0, settings.Seconds, "100-d", 100);
        Execute(set100, ReviewTaskKind.Hyperparameter, 0, settings.BoRep(ReviewTaskKind.Hyperparameter, label: "BO-REP 100-d"), seed0, settings.Seconds, "100-d", 100);
        Execute(set100, ReviewTaskKind.HyperCleaning, largest, settings.BoRep(ReviewTaskKind.HyperCleaning, label: "BO-REP 100-d"), seed0, settings.Seconds, "100-d", 100);

        return new ReviewsReport(settings, data, runs, smoothness, baselines, refits, supervised, set50.TestDomains, clock.Elapsed.TotalSeconds, set50.CleaningTestTweets);
    }

    /// <summary>The main comparisons of <paramref name="settings"/>: (task, rate).</summary>
    public static IReadOnlyList<(ReviewTaskKind Task, double Rate)> Comparisons(ReviewsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [(ReviewTaskKind.HyperRepresentation, 0), (ReviewTaskKind.Hyperparameter, 0), .. settings.CleaningRates.Select(p => (ReviewTaskKind.HyperCleaning, p))];
    }

    /// <summary>
    /// Appendix G: BO-REP on hyper-representation for <see cref="ReviewsSettings.SmoothnessIterations"/> iterations;
    /// at each step the full-pool ∇x f and ∇y f at u_k = (x_k, y_k) and u_{k+1}, and the estimate
    /// L̂ = ‖∇f(u_{k+1}) − ∇f(u_k)‖/‖u_{k+1} − u_k‖ per level (the finite-difference estimate along the trajectory
    /// that Zhang et al. 2020b App. H.3 use).
    /// </summary>
    private static List<SmoothnessPoint> SmoothnessCheck(ProblemSet set, ReviewsSettings settings, CancellationToken cancellationToken)
    {
        var (problem, x0, y0) = set.For(ReviewTaskKind.HyperRepresentation, 0);
        var solver = settings.BoRep(ReviewTaskKind.HyperRepresentation).CreateSolver();
        var state = solver.Start(problem, [.. x0], [.. y0], 0);
        var points = new List<SmoothnessPoint>();
        var gx = new double[problem.UpperDimension];
        var gy = new double[problem.LowerDimension];
        var gxNext = new double[problem.UpperDimension];
        var gyNext = new double[problem.LowerDimension];
        var x = new double[problem.UpperDimension];
        var y = new double[problem.LowerDimension];
        problem.UpperGradients(state.X, state.Y, gx, gy);
        for (var k = 0; k < settings.SmoothnessIterations; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            state.X.CopyTo(x, 0);
            state.Y.CopyTo(y, 0);
            solver.Iterate(state);
            problem.UpperGradients(state.X, state.Y, gxNext, gyNext);
            var step = Math.Sqrt((Vectors.Distance(state.X, x) * Vectors.Distance(state.X, x)) + (Vectors.Distance(state.Y, y) * Vectors.Distance(state.Y, y)));
            if (step > 0)
            {
                points.Add(new SmoothnessPoint(k, Vectors.Norm(gx), Vectors.Distance(gxNext, gx) / step, Vectors.Norm(gy), Vectors.Distance(gyNext, gy) / step));
            }

            (gx, gxNext) = (gxNext, gx);
            (gy, gyNext) = (gyNext, gy);
        }

        return points;
    }

    /// <summary>The Adam step of the supervised encoders: 10× Adam's usual 10⁻³, since the budgets fit a few thousand steps at most.</summary>
    public const double SupervisedRate = 0.01;

    /// <summary>Adam steps between the supervised encoders' validation checkpoints (early stopping; the last step is always one).</summary>
    public const int SupervisedCheckpointSteps = 250;

    /// <summary>
    /// SGD on g(x, ·) at BO-REP's F.3 lower rate and batch for <see cref="ReviewsSettings.ReferenceSteps"/> steps
    /// (<paramref name="fixedSteps"/> when given), from the bilevel runs' start: x = x₀ (every σ(λ_i) equal: no cleaning), or with clean-only x₀ on the clean tweets and λ_i = −30
    /// (σ ≈ 10⁻¹³) on the flipped ones, so the clean tweets keep the same weight and the step the same scale; or, with
    /// <paramref name="weights"/>, at the weight logits x a bilevel run ended with (a cleaned model).
    /// </summary>
    internal static CleaningReference CleaningBaseline(ProblemSet set, ReviewsSettings settings, double rate, int seed, bool cleanOnly, IReadOnlyList<double>? weights = null,
        long? fixedSteps = null)
    {
        var (problem, x0, y0) = set.For(ReviewTaskKind.HyperCleaning, rate);
        var cleaning = (ReviewHyperCleaningProblem<float>)problem;
        var x = (weights ?? x0).ToArray();
        if (cleanOnly)
        {
            for (var i = 0; i < x.Length; i++)
            {
                x[i] = cleaning.Corrupted[i] ? -30 : x[i];
            }
        }

        var y = y0.ToArray();
        var gradient = new double[y.Length];
        var batches = new BatchSource(problem.LowerSampleCount, settings.CleaningBatch, seed);
        var count = fixedSteps ?? settings.ReferenceSteps;
        var steps = 0L;
        while (steps < count)
        {
            problem.LowerGradientY(x, y, gradient, batches.Next());
            Vectors.Axpy(-0.05, gradient, y);
            steps++;
        }

        var (accuracy, loss) = cleaning.Classifier.Score(cleaning.Test, y);
        return new CleaningReference(rate, seed, cleanOnly, accuracy, loss, steps);
    }

    /// <summary>
    /// The supervised encoder (<see cref="SupervisedReference"/>): the RNN classifier from the bilevel runs' encoder
    /// start x₀ and a zero head, Adam on the mean cross entropy of batches of <see cref="ReviewsSettings.HpoBatch"/>
    /// reviews (seed 0) for <see cref="ReviewsSettings.SupervisedSteps"/> steps, with early stopping: every <see cref="SupervisedCheckpointSteps"/> steps and at the end the
    /// classifier is scored on up to 2000 test-file reviews of the training domains (never the held-out domains; the
    /// checkpoints are outside the clock), and the encoder of the best checkpoint is scored by the held-out tasks'
    /// 20-shot heads. At Adam's 10⁻² the accuracy peaks and then falls within the budget (150 tokens: 74 % held-out at
    /// the last of 3130 steps), so the last step alone would understate what the encoder can give.
    /// </summary>
    internal static SupervisedReference Supervised(ProblemSet set, ReviewsSettings settings, SupervisedData data, CancellationToken cancellationToken)
    {
        var (problem, x0, _) = set.For(ReviewTaskKind.HyperRepresentation, 0);
        var hr = (ReviewHyperRepresentationProblem<float>)problem;
        var held = new HashSet<string>(set.TestDomains);
        var rows = data == SupervisedData.TrainingDomains
            ? new TokenRows([.. set.Reviews.Train.Where(r => !held.Contains(r.Domain))], settings.MaxLength)
            : TokenRows.FromBatches(set.PoolTasks.SelectMany(t => new[] { t.Support, t.Query }), settings.MaxLength);
        var sameDomain = new TokenRows([.. set.Reviews.Test.Where(r => !held.Contains(r.Domain)).Take(2000)], settings.MaxLength);
        var classifier = new RnnClassifier<float>(set.Embedding.Tensor<float>(), settings.HiddenSize, settings.MaxLength);
        var w = new double[classifier.Size];
        x0.ToArray().CopyTo(w, 0);
        var gradient = new double[w.Length];
        var adam = new OuterUpdate(OuterOptimizer.Adam, w.Length);
        var batches = new BatchSource(rows.Count, settings.HpoBatch, 0);
        var every = Enumerable.Range(0, rows.Count).ToArray();
        var best = w.ToArray();
        var bestValidation = double.NegativeInfinity;
        var bestSteps = 0L;
        var clock = Stopwatch.StartNew();
        var steps = 0L;
        void Checkpoint()
        {
            clock.Stop();
            var (validation, _) = classifier.Score(sameDomain, w);
            if (validation > bestValidation)
            {
                (bestValidation, bestSteps) = (validation, steps);
                w.CopyTo(best, 0);
            }

            clock.Start();
        }

        while (steps < settings.SupervisedSteps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = batches.Next();
            classifier.Evaluate(rows, batch.IsFull ? every : batch.Indices, w, default, gradient, default, default, default, default);
            adam.Apply(SupervisedRate, gradient, w);
            steps++;
            if (steps % SupervisedCheckpointSteps == 0)
            {
                Checkpoint();
            }
        }

        if (steps % SupervisedCheckpointSteps != 0)
        {
            Checkpoint();
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var (accuracy, loss) = hr.HeldOutScore(best.AsSpan(0, hr.UpperDimension));
        return new SupervisedReference(data, rows.Count, steps, seconds, accuracy, loss, bestValidation) { BestSteps = bestSteps };
    }

    internal static ProblemSet Problems(ReviewsSettings settings, int dimension)
    {
        var embedding = ReviewSetups.Embedding(dimension);
        var reviews = ReviewSetups.AmazonReviews(embedding);
        var (train, test, sampler) = ReviewSetups.Tasks(reviews, settings.PoolTasks, settings.TestTasks, settings.DataSeed);
        var hr = new ReviewHyperRepresentationProblem<float>(embedding.Tensor<float>(), settings.HiddenSize, train, test, settings.HeadRegularization, settings.MaxLength);
        var hpo = ReviewSetups.Hyperparameter<float>(embedding, reviews, settings.HiddenSize, settings.HpoTrain, settings.HpoValidation, settings.HpoTest, settings.MaxLength, settings.DataSeed);
        var cleaning = settings.CleaningRates.ToDictionary(p => p, p => ReviewSetups.HyperCleaning<float>(embedding, settings.HiddenSize, settings.CleaningTrain,
            settings.CleaningValidation, p, settings.CleaningRegularization, settings.MaxLength, settings.DataSeed));
        var first = cleaning[settings.CleaningRates[0]];
        var description = new List<string>
        {
            $"{embedding.Description}; FDU-MTL Amazon reviews {reviews.Train.Count} train-file + {reviews.Test.Count} test-file reviews with a known word, ≤ {settings.MaxLength} tokens",
            $"hyper-representation: {settings.PoolTasks} training tasks of 20 + 20 reviews from {sampler.TrainingDomains.Count} domains, {settings.TestTasks} held-out tasks from {string.Join(", ", sampler.TestDomains)} (the 3 smallest), μ = {settings.HeadRegularization}, meta-batch {settings.MetaBatch}, H = {settings.HiddenSize}",
            $"hyperparameter optimization: {hpo.Train.Count} train / {hpo.Validation.Count} validation / {hpo.Test.Count} test reviews, λ = e^ρ from ρ₀ = {settings.HpoStart}, batch {settings.HpoBatch}",
            $"hyper-cleaning: Sentiment140 {first.Train.Count} training tweets (labels flipped with probability p ∈ {{{string.Join(", ", settings.CleaningRates)}}}: {string.Join(", ", cleaning.Values.Select(c => c.Corrupted.Count(f => f)))} flipped), {first.Validation.Count} clean validation, {first.Test.Count} test tweets, c = {settings.CleaningRegularization}, batch {settings.CleaningBatch}",
        };
        return new ProblemSet(dimension, settings, hr, hpo, cleaning, [.. sampler.TestDomains], description, embedding, reviews, train);
    }

    /// <summary>The problems of one word-vector size and their starting points.</summary>
    internal sealed class ProblemSet(int dimension, ReviewsSettings settings, ReviewHyperRepresentationProblem<float> hr, ReviewHyperparameterProblem<float> hpo,
        Dictionary<double, ReviewHyperCleaningProblem<float>> cleaning, IReadOnlyList<string> testDomains, IReadOnlyList<string> description,
        ReviewEmbedding embedding, EncodedAmazonReviews reviews, IReadOnlyList<ReviewTask> poolTasks)
    {
        public ReviewEmbedding Embedding => embedding;

        /// <summary>The labelled Amazon reviews the tasks come from.</summary>
        public EncodedAmazonReviews Reviews => reviews;

        /// <summary>The hyper-representation pool's tasks.</summary>
        public IReadOnlyList<ReviewTask> PoolTasks => poolTasks;

        public IReadOnlyList<string> TestDomains => testDomains;

        /// <summary>Test tweets of the hyper-cleaning problems (the same manual test set at every p).</summary>
        public int CleaningTestTweets => cleaning.Values.First().Test.Count;

        public IReadOnlyList<string> Description => description;

        public string DatasetName(ReviewTaskKind task, double rate) => task == ReviewTaskKind.HyperCleaning
            ? $"Sentiment140, GloVe {dimension}-d"
            : $"Amazon reviews, GloVe {dimension}-d";

        /// <summary>
        /// The problem and the same start for every method: hyper-representation x₀ = the encoder's seed-0
        /// initialization, zero heads; hyperparameter ρ₀ and the classifier's seed-0 initialization; hyper-cleaning
        /// λ_i = 1 (F.3) and the classifier's seed-0 initialization.
        /// </summary>
        public (BilevelProblem Problem, IReadOnlyList<double> X0, IReadOnlyList<double> Y0) For(ReviewTaskKind task, double rate) => task switch
        {
            ReviewTaskKind.HyperRepresentation => (hr, hr.InitialUpperPoint(0), new double[hr.LowerDimension]),
            ReviewTaskKind.Hyperparameter => (hpo, [settings.HpoStart], hpo.Classifier.InitialParameters(0)),
            _ => (cleaning[rate], Enumerable.Repeat(1.0, cleaning[rate].UpperDimension).ToArray(), cleaning[rate].Classifier.InitialParameters(0)),
        };
    }
}
