using Bilevel.Interactive;
using Bilevel.Plotting;
using Bilevel.Traces;

using static Bilevel.Experiments.ReportFormat;

namespace Bilevel.Experiments.Reviews;

/// <summary>Figures (Plotly, median and min–max band over seeds) and tables of the reviews experiment.</summary>
public static class ReviewsFigures
{
    /// <summary>Paper 004 Table 3 as printed (App. J.2), drawn next to the measured curve for reference.</summary>
    public static IReadOnlyList<(double Radius, double Accuracy)> PaperTable3 { get; } =
        [(0.001, 0.6506), (0.005, 0.6764), (0.01, 0.7076), (0.05, 0.8122), (0.1, 0.8684), (0.5, 0.8884), (1, 0.8884), (5, 0.8884)];

    /// <summary>
    /// Figs. 1, 2, 6 for one task: test accuracy against epochs and against solver seconds (top), training loss (g for
    /// the classifier tasks, the query loss f for hyper-representation) against epochs and test loss against seconds
    /// (bottom). Epochs as App. F defines them, passes over the training data (<see cref="EpochsPerIteration"/>).
    /// </summary>
    public static Figure Main(ReviewsReport report, ReviewTaskKind task, double rate = 0)
    {
        ArgumentNullException.ThrowIfNull(report);
        var runs = report.Main(task, rate);
        var figure = new Figure($"Paper 004 — {ReviewsExperiment.TaskName(task, rate)}: BO-REP against the baselines", 2, 2) { Height = 800 };
        var groups = runs.Select(r => (r.Label, r.Traces)).ToList();
        var epochs = EpochsPerIteration(report.Settings, task);
        TraceFigures.AddNamed(figure, groups, TraceAxis.Iterations, TraceQuantity.Metric, "test accuracy", 1, 1, epochs);
        TraceFigures.AddNamed(figure, groups, TraceAxis.Seconds, TraceQuantity.Metric, "test accuracy", 1, 2);
        var training = task == ReviewTaskKind.HyperRepresentation ? TraceQuantity.UpperLoss : TraceQuantity.LowerLoss;
        TraceFigures.AddNamed(figure, groups, TraceAxis.Iterations, training, null, 2, 1, epochs);
        TraceFigures.AddNamed(figure, groups, TraceAxis.Seconds, TraceQuantity.Metric, "test loss", 2, 2);
        figure.XAxis(1, 1).Title = "epochs (passes over the training data)";
        figure.XAxis(1, 2).Title = "solver seconds";
        figure.XAxis(2, 1).Title = "epochs (passes over the training data)";
        figure.XAxis(2, 2).Title = "solver seconds";
        figure.YAxis(1, 1).Title = "test accuracy";
        figure.YAxis(1, 2).Title = "test accuracy";
        figure.YAxis(2, 1).Title = task == ReviewTaskKind.HyperRepresentation ? "training query loss f" : "training loss g";
        figure.YAxis(2, 2).Title = "test loss";
        return figure;
    }

    /// <summary>
    /// Epochs per outer iteration. App. F counts training in epochs, "one pass over the data", and does not say how an
    /// iteration's batches add up to a pass. Chosen here: one lower-level batch per iteration, so one iteration is
    /// |B|/n of an epoch. That is the meta-batch over the pool's tasks for hyper-representation, and the batch over the
    /// training reviews or tweets for the other two tasks. It is the same for every method of a task, so the curves
    /// compare as they do against iterations.
    /// </summary>
    public static double EpochsPerIteration(ReviewsSettings settings, ReviewTaskKind task)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return task switch
        {
            ReviewTaskKind.HyperRepresentation => settings.MetaBatch / (double)settings.PoolTasks,
            ReviewTaskKind.Hyperparameter => settings.HpoBatch / (double)settings.HpoTrain,
            _ => settings.CleaningBatch / (double)settings.CleaningTrain,
        };
    }

    /// <summary>Table 3: final test accuracy against R (log axis), measured and as printed in the paper.</summary>
    public static Figure Radius(ReviewsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var runs = report.Group("radius").OrderBy(r => r.Parameter).ToList();
        var figure = new Figure("Paper 004 Table 3 — test accuracy against the projection radius R (hyper-representation)");
        figure.AddLine("measured (seed 0)", [.. runs.Select(r => r.Parameter)], [.. runs.Select(r => r.TestAccuracy)], mode: TraceMode.LinesAndMarkers);
        figure.AddLine("paper 004 Table 3 (printed)", [.. PaperTable3.Select(p => p.Radius)], [.. PaperTable3.Select(p => p.Accuracy)], mode: TraceMode.LinesAndMarkers);
        figure.XAxis().Title = "R";
        figure.XAxis().Type = AxisType.Log;
        figure.YAxis().Title = "final test accuracy";
        return figure;
    }

    /// <summary>Fig. 7: final test accuracy against I (N = 3) and against N (I = 2).</summary>
    public static Figure Periods(ReviewsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var figure = new Figure("Paper 004 Fig. 7 — BO-REP's period I and lower steps N (hyper-representation)", 1, 2);
        var periods = report.Group("period").OrderBy(r => r.Parameter).ToList();
        var steps = report.Group("lower steps").OrderBy(r => r.Parameter).ToList();
        figure.AddLine("I (N = 3)", [.. periods.Select(r => r.Parameter)], [.. periods.Select(r => r.TestAccuracy)], 1, 1, mode: TraceMode.LinesAndMarkers);
        figure.AddLine("N (I = 2)", [.. steps.Select(r => r.Parameter)], [.. steps.Select(r => r.TestAccuracy)], 1, 2, mode: TraceMode.LinesAndMarkers);
        figure.XAxis(1, 1).Title = "I";
        figure.XAxis(1, 2).Title = "N";
        figure.YAxis(1, 1).Title = "final test accuracy";
        figure.YAxis(1, 2).Title = "final test accuracy";
        return figure;
    }

    /// <summary>Fig. 8: N = 16, I = 12 against N = 3, I = 2 on each task, test accuracy against solver seconds.</summary>
    public static Figure LargePeriod(ReviewsReport report) =>
        AgainstMainBoRep(report, "large period", "Paper 004 Fig. 8 — N = 16, I = 12 (dashed in the paper) against N = 3, I = 2", "N=3 I=2", "N=16 I=12");

    /// <summary>Appendix G / Fig. 4: local smoothness estimates against the gradient norm, (a) upper level, (b) lower level.</summary>
    public static Figure Smoothness(ReviewsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var figure = new Figure("Paper 004 App. G — local smoothness against gradient norm along BO-REP (hyper-representation)", 1, 2);
        var points = report.Smoothness;
        figure.AddLine("x (RNN encoder)", [.. points.Select(p => p.UpperGradientNorm)], [.. points.Select(p => p.UpperSmoothness)], 1, 1, mode: TraceMode.Markers);
        figure.AddLine("y (heads)", [.. points.Select(p => p.LowerGradientNorm)], [.. points.Select(p => p.LowerSmoothness)], 1, 2, mode: TraceMode.Markers);
        figure.XAxis(1, 1).Title = "‖∇x f‖";
        figure.XAxis(1, 2).Title = "‖∇y f‖";
        figure.YAxis(1, 1).Title = "local smoothness estimate";
        figure.YAxis(1, 2).Title = "local smoothness estimate";
        return figure;
    }

    /// <summary>Beyond the paper: BO-REP with 50-d against 100-d GloVe vectors on each task.</summary>
    public static Figure Dimensions(ReviewsReport report) =>
        AgainstMainBoRep(report, "100-d", "Word-vector size: BO-REP with GloVe 50-d against 100-d", "50-d", "100-d");

    /// <summary>
    /// One panel per run of <paramref name="group"/>: its test accuracy against solver seconds beside the main
    /// comparison's BO-REP run (first seed) on the same task.
    /// </summary>
    private static Figure AgainstMainBoRep(ReviewsReport report, string group, string title, string referenceName, string runName)
    {
        ArgumentNullException.ThrowIfNull(report);
        var runs = report.Group(group);
        var figure = new Figure(title, 1, Math.Max(1, runs.Count)) { Width = 1200 };
        for (var i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var reference = report.Main(run.Task, run.CorruptionRate).First(r => r.Method.Solver == "bo-rep");
            TraceFigures.AddNamed(figure, [(referenceName, reference.Traces.Take(1).ToList()), (runName, run.Traces)], TraceAxis.Seconds, TraceQuantity.Metric, "test accuracy", 1, i + 1);
            figure.SubplotTitle(1, i + 1, run.TaskName);
            figure.XAxis(1, i + 1).Title = "solver seconds";
            figure.YAxis(1, i + 1).Title = "test accuracy";
        }

        return figure;
    }

    /// <summary>The per-method table of one task: final test accuracy, test loss, training accuracy, losses, iterations, seconds, time to the baselines' best.</summary>
    public static ResultTable Table(ReviewsReport report, ReviewTaskKind task, double rate = 0)
    {
        ArgumentNullException.ThrowIfNull(report);
        var runs = report.Main(task, rate);
        var baselines = runs.Where(r => r.Method.Solver != "bo-rep").ToList();
        var target = baselines.Count > 0 ? baselines.Max(r => r.TestAccuracy) : double.NaN;
        var train = task == ReviewTaskKind.HyperCleaning ? "validation accuracy" : "train accuracy";
        var rows = runs.OrderByDescending(r => r.TestAccuracy).Select(r => (IReadOnlyList<string>)
        [
            r.Label, Percent(r.TestAccuracy), Number(r.FinalMetric("test loss")), Percent(r.FinalMetric(train)), Number(r.FinalUpperLoss), Number(r.FinalLowerLoss),
            Number(r.Iterations), Number(r.Seconds), r.SecondsToReach(target) is { } s ? Number(s) : "not reached",
        ]).ToList();
        return new ResultTable($"{ReviewsExperiment.TaskName(task, rate)} (medians over {report.Settings.Seeds} seeds)",
            ["method", "test accuracy", "test loss", train, "f (upper)", "g (lower)", "iterations", "seconds", $"s to {Percent(target)}"], rows);
    }

    /// <summary>Beyond the paper: final test accuracy of every method on every task.</summary>
    public static ResultTable CrossTask(ReviewsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var comparisons = report.Comparisons;
        var labels = comparisons.SelectMany(c => report.Main(c.Task, c.Rate).Select(r => r.Label)).Distinct().ToList();
        var rows = labels.Select(label => (IReadOnlyList<string>)[label, .. comparisons.Select(c =>
            report.Main(c.Task, c.Rate).FirstOrDefault(r => r.Label == label) is { } run ? Percent(run.TestAccuracy) : "—")]).ToList();
        return new ResultTable("Final test accuracy on every task (medians over seeds)", ["method", .. comparisons.Select(c => ReviewsExperiment.TaskName(c.Task, c.Rate))], rows);
    }

    /// <summary>The ablations as one table (R, I, N, N = 16 / I = 12, 100-d).</summary>
    public static ResultTable Ablations(ReviewsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Runs.Where(r => r.Group is not null).Select(r => (IReadOnlyList<string>)
            [r.Group!, r.TaskName, r.Label, Percent(r.TestAccuracy), Number(r.Iterations), Number(r.Seconds)]).ToList();
        return new ResultTable("Ablations (seed 0)", ["group", "task", "run", "test accuracy", "iterations", "seconds"], rows);
    }

    /// <summary>The hyper-cleaning references: uniform weights (no cleaning), the clean subset (the true mask) and the refits on learned weights.</summary>
    public static ResultTable Uncleaned(ReviewsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new ResultTable($"Hyper-cleaning references: SGD at γ = 0.05 for the same {report.Settings.ReferenceSteps} steps, uniform weights (no cleaning), the flipped tweets' weights at 0 (clean subset), or the weights σ(xᵢ) a bilevel method learned (cleaned models)",
            ["p", "seed", "weights", "test accuracy", "test loss", "SGD steps"],
            [.. report.Baselines.Concat(report.Refits).Select(b => (IReadOnlyList<string>)[Number(b.CorruptionRate), b.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                b.WeightsFrom is { } method ? $"learned by {method}" : b.CleanOnly ? "clean subset" : "uniform", Percent(b.TestAccuracy), Number(b.TestLoss), Number(b.Steps)])]);
    }

    /// <summary>The supervised encoders next to the best bilevel run of the hyper-representation task.</summary>
    public static ResultTable Supervised(ReviewsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Supervised.Select(s => (IReadOnlyList<string>)[$"supervised encoder ({s.DataName})", Count(s.Reviews), $"{Count(s.BestSteps)} of {Count(s.Steps)}", Number(s.Seconds),
            Percent(s.HeldOutAccuracy), Number(s.HeldOutLoss), Percent(s.SameDomainAccuracy)]).ToList();
        if (report.Main(ReviewTaskKind.HyperRepresentation).OrderByDescending(r => r.TestAccuracy).FirstOrDefault() is { } best)
        {
            var pool = report.Supervised.FirstOrDefault(s => s.Data == SupervisedData.Pool);
            rows.Insert(0, [$"best bilevel run: {best.Label}", pool is null ? "—" : Count(pool.Reviews), Number(best.Iterations), Number(best.Seconds),
                Percent(best.TestAccuracy), Number(best.FinalMetric("test loss")), "—"]);
        }

        return new ResultTable("Hyper-representation: the bilevel encoder against encoders trained directly on the labels (held-out 20-shot heads for all; supervised: the checkpoint with the best training-domain test accuracy)",
            ["encoder", "reviews", "steps (supervised: chosen of taken)", "seconds", "held-out accuracy", "held-out loss", "training-domain test accuracy"], rows);
    }
}
