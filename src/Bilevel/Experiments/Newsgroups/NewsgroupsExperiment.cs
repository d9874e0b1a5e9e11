using System.Globalization;
using Bilevel.Experiments.HyperCleaning;
using Bilevel.Interactive;
using Bilevel.Plotting;
using Bilevel.Problems;
using Bilevel.Problems.Newsgroups;
using Bilevel.Solvers;
using Bilevel.Traces;

using static Bilevel.Experiments.ReportFormat;

namespace Bilevel.Experiments.Newsgroups;

/// <summary>
/// Notebook 05 / <c>bilevel reproduce newsgroups</c> under one profile: paper 002 App. A.2 (20 Newsgroups, one L2
/// hyperparameter per feature). Methods with the paper's settings: inner and outer step 100, T = 10 warm-started inner
/// steps, 10 CG / fixed-point steps, SGD outer updates; stocBiO with η = 0.5, Q = 10 and batch sizes B (Fig. 3).
/// </summary>
/// <param name="Profile">The profile.</param>
/// <param name="Seeds">Seeds of the stochastic methods (the deterministic ones run once).</param>
/// <param name="Seconds">Solver seconds per run (the paper plots against time).</param>
/// <param name="BatchSizes">stocBiO's batch sizes for Fig. 3 (the first is the main comparison's).</param>
/// <param name="GlobalL2Grid">Values of a single global λ (every λⱼ equal) for the grid-search reference.</param>
/// <param name="FitIterations">L-BFGS iterations of each reference fit.</param>
public sealed record NewsgroupsSettings(ExperimentProfile Profile, int Seeds, double Seconds, IReadOnlyList<int> BatchSizes, IReadOnlyList<double> GlobalL2Grid, int FitIterations)
{
    /// <summary>The settings of <paramref name="profile"/>.</summary>
    public static NewsgroupsSettings For(ExperimentProfile profile) => profile switch
    {
        ExperimentProfile.Smoke => new(profile, 1, 1.5, [100, 1000], [0, 4], 5),
        ExperimentProfile.Paper => new(profile, 10, 120, [100, 500, 1000, 2000], [-2, 0, 2, 4, 6, 8, 10], 300),
        _ => new(profile, 3, 20, [100, 500, 1000, 2000], [0, 2, 4, 6, 8], 100),
    };

    /// <summary>The main comparison (paper Fig. 2): stocBiO at the first batch size, reverse, AID-FP, AID-CG, HOAG.</summary>
    public IReadOnlyList<ExperimentMethod> Methods() =>
    [
        StocBiO(BatchSizes[0]),
        new("reverse", "reverse", ["InnerStep=100", "OuterStep=100", "InnerSteps=10", "TruncationSteps=10"]),
        new("AID-FP", "aid-fp", ["InnerStep=100", "OuterStep=100", "InnerSteps=10", "FixedPointSteps=10"]),
        new("AID-CG", "aid-cg", ["InnerStep=100", "OuterStep=100", "InnerSteps=10", "CgIterations=10"]),
        new("HOAG", "hoag", ["InnerStep=100", "OuterStep=100", "MaxInnerSteps=10", "MaxCgIterations=10"]),
    ];

    /// <summary>stocBiO with batch size <paramref name="batch"/> for every role (App. A.2: η = 0.5, Q = 10, T = 10; Hessian batches of Proposition 3 with B Q = batch).</summary>
    public static ExperimentMethod StocBiO(int batch) =>
        new(batch == 100 ? "stocBiO" : $"stocBiO B={batch}", "stocbio",
            ["InnerStep=100", "OuterStep=100", "InnerSteps=10", "NeumannSteps=10", "NeumannStep=0.5", $"LowerBatchSize={batch}", $"UpperBatchSize={batch}",
                $"CrossBatchSize={batch}", $"HessianBatchBase={(batch / 10.0).ToString(CultureInfo.InvariantCulture)}", "HessianBatches=Uniform"]);
}

/// <summary>What one run of the newsgroups experiment measured.</summary>
public sealed class NewsgroupsReport
{
    internal NewsgroupsReport(NewsgroupsSettings settings, string data, IReadOnlyList<HyperCleaningRun> runs, IReadOnlyList<(double Lambda, double ValidationLoss, double TestAccuracy, double TestLoss)> grid,
        IReadOnlyList<(string Term, double Lambda)> least, IReadOnlyList<(string Term, double Lambda)> most, double seconds, long peakBytes)
    {
        Settings = settings;
        Data = data;
        Runs = runs;
        Grid = grid;
        LeastRegularized = least;
        MostRegularized = most;
        Seconds = seconds;
        PeakWorkingSetBytes = peakBytes;
        Claims = NewsgroupsExperiment.Check(this);
    }

    public NewsgroupsSettings Settings { get; }

    /// <summary>The data's description (vectorizer, p, split sizes, seed).</summary>
    public string Data { get; }

    public IReadOnlyList<HyperCleaningRun> Runs { get; }

    /// <summary>The global-L2 grid: every λⱼ = λ, W fitted by L-BFGS; validation loss, test accuracy and loss.</summary>
    public IReadOnlyList<(double Lambda, double ValidationLoss, double TestAccuracy, double TestLoss)> Grid { get; }

    /// <summary>The terms with the smallest learned λⱼ (least regularised) by the best method.</summary>
    public IReadOnlyList<(string Term, double Lambda)> LeastRegularized { get; }

    /// <summary>The terms with the largest learned λⱼ.</summary>
    public IReadOnlyList<(string Term, double Lambda)> MostRegularized { get; }

    public double Seconds { get; }

    /// <summary>The process's peak working set at the end of the run.</summary>
    public long PeakWorkingSetBytes { get; }

    public IReadOnlyList<ClaimCheck> Claims { get; }

    /// <summary>The main comparison's runs.</summary>
    public IReadOnlyList<HyperCleaningRun> Main => [.. Runs.Where(r => r.Group is null)];

    /// <summary>stocBiO at every batch size.</summary>
    public IReadOnlyList<HyperCleaningRun> BatchSweep => [.. Runs.Where(r => r.Method.Solver == "stocbio")];
}

/// <summary>Runs, checks and draws paper 002's 20 Newsgroups experiment.</summary>
public static class NewsgroupsExperiment
{
    /// <summary>Progress steps of <see cref="Run"/>.</summary>
    public static int ProgressSteps(NewsgroupsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return 1 + settings.Seeds + 4 + ((settings.BatchSizes.Count - 1) * settings.Seeds) + settings.GlobalL2Grid.Count;
    }

    /// <summary>Runs every method, the batch sweep and the global-L2 grid.</summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static NewsgroupsReport Run(NewsgroupsSettings settings, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var data = NewsgroupsSetups.Create();
        var problem = new PerFeatureL2Problem(data);
        progress?.Report($"data: {data.Description}");
        var runs = new List<HyperCleaningRun>();

        void Execute(ExperimentMethod method, string? group)
        {
            var stochastic = method.Solver == "stocbio";
            var traces = new List<SolverTrace>();
            foreach (var seed in Enumerable.Range(0, stochastic ? settings.Seeds : 1))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var run = new RunSettings(new RunBudget(10_000_000) { Seconds = settings.Seconds }, seed) { Schedule = EvaluationSchedule.Logarithmic(8) };
                traces.Add(SolverRunner.Run(method.CreateSolver(), problem, run, null, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report($"{method.Label} seed {seed}: test accuracy {traces[^1].Value(traces[^1].Final, TraceQuantity.Metric, "test accuracy"):P1} after {traces[^1].Final.Seconds:F1} s");
            }

            runs.Add(new HyperCleaningRun(HyperCleaningSection.Paper002, "20 Newsgroups", 0, method, traces, group));
            ReleaseGarbage();
        }

        foreach (var method in settings.Methods())
        {
            Execute(method, null);
        }

        foreach (var batch in settings.BatchSizes.Skip(1))
        {
            Execute(NewsgroupsSettings.StocBiO(batch), "batch sweep");
        }

        var grid = new List<(double, double, double, double)>();
        var start = (double[]?)null;
        foreach (var lambda in settings.GlobalL2Grid)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var x = new double[problem.UpperDimension];
            Array.Fill(x, lambda);
            var fit = LowerLevelFit.Minimize(problem, x, start, settings.FitIterations, 1e-7);
            start = fit.Y;
            var (accuracy, loss) = problem.TestScore(fit.Y);
            grid.Add((lambda, problem.UpperValue(x, fit.Y), accuracy, loss));
            ReleaseGarbage();
            progress?.Report($"global λ = {lambda}: validation loss {grid[^1].Item2:G4}, test accuracy {accuracy:P1}");
        }

        // Which words does the best method regularise least and most?
        var best = runs.Where(r => r.Group is null).OrderByDescending(r => r.FinalMetric("test accuracy")).First();
        var lambdas = HyperCleaningExperiment.MedianSeedTrace(best).FinalUpper!;
        var frequency = new int[data.FeatureCount];
        foreach (var column in data.Train.Features.ColumnIndices)
        {
            frequency[column]++;
        }

        var order = Enumerable.Range(0, lambdas.Count).Where(j => frequency[j] >= 20).OrderBy(j => lambdas[j]).ToList();
        string Term(int j) => data.Terms is { } terms ? terms[j] : $"feature {j}";
        var least = order.Take(15).Select(j => (Term(j), lambdas[j])).ToList();
        var most = order.AsEnumerable().Reverse().Take(15).Select(j => (Term(j), lambdas[j])).ToList();
        var peak = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64;
        return new NewsgroupsReport(settings, data.Description, runs, grid, least, most, clock.Elapsed.TotalSeconds, peak);
    }

    /// <summary>
    /// Collects between runs: every L-BFGS evaluation and solver start allocates vectors of p × c = 2·10⁶ doubles
    /// (16 MB, large-object heap), which the GC otherwise lets pile up to gigabytes before a full collection; the
    /// issue's 4 GB bound is on the peak.
    /// </summary>
    private static void ReleaseGarbage()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    /// <summary>Paper 002's claims about this experiment, and the issue's comparison with one global L2 weight.</summary>
    public static IReadOnlyList<ClaimCheck> Check(NewsgroupsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var claims = new List<ClaimCheck>();
        var main = report.Main;
        var stoc = main.FirstOrDefault(r => r.Method.Solver == "stocbio");
        if (stoc is not null && main.Count > 1)
        {
            var others = main.Where(r => r != stoc).ToList();
            claims.Add(new($"Paper 002 Fig. 2: stocBiO reaches the lowest test loss within the common time ({Number(report.Settings.Seconds)} s)",
                string.Join(", ", main.OrderBy(r => r.FinalMetric("test loss")).Select(r => $"{r.Label} {Number(r.FinalMetric("test loss"))}")),
                others.All(o => stoc.FinalMetric("test loss") < o.FinalMetric("test loss"))));
            claims.Add(new("Paper 002 Fig. 2: stocBiO reaches the best test accuracy",
                string.Join(", ", main.OrderByDescending(r => r.FinalMetric("test accuracy")).Select(r => $"{r.Label} {Percent(r.FinalMetric("test accuracy"))}")),
                others.All(o => stoc.FinalMetric("test accuracy") >= o.FinalMetric("test accuracy"))));
        }

        var sweep = report.BatchSweep;
        if (sweep.Count >= 2)
        {
            var accuracies = sweep.Select(r => r.FinalMetric("test accuracy")).ToList();
            claims.Add(new("Paper 002 Fig. 3: stocBiO is insensitive to its batch size (final test accuracy within 2 points from B = 100 to 2000)",
                string.Join(", ", sweep.Select(r => $"{r.Label} {Percent(r.FinalMetric("test accuracy"))}")), accuracies.Max() - accuracies.Min() <= 0.02));
        }

        if (report.Grid.Count > 0 && main.Count > 0)
        {
            var chosen = report.Grid.OrderBy(g => g.ValidationLoss).First();
            var best = main.OrderByDescending(r => r.FinalMetric("test accuracy")).First();
            claims.Add(new("Issue 10: the best per-feature method beats one global L2 weight tuned by grid search on the validation set",
                $"{best.Label} {Percent(best.FinalMetric("test accuracy"))}; global λ = {Number(chosen.Lambda)} (lowest validation loss of {report.Grid.Count}) {Percent(chosen.TestAccuracy)}",
                best.FinalMetric("test accuracy") > chosen.TestAccuracy));
        }

        claims.Add(new("Issue 10: peak memory under 4 GB", $"peak working set {Number(report.PeakWorkingSetBytes / 1048576.0)} MiB", report.PeakWorkingSetBytes < 4L << 30));
        return claims;
    }

    /// <summary>Paper 002 Fig. 2: test loss (left) and test accuracy (right) against solver seconds.</summary>
    public static Figure MainFigure(NewsgroupsReport report) => Figure(report, report.Main, "Paper 002 Fig. 2 — 20 Newsgroups, one L2 weight per feature");

    /// <summary>Paper 002 Fig. 3: stocBiO at every batch size.</summary>
    public static Figure BatchFigure(NewsgroupsReport report) => Figure(report, report.BatchSweep, "Paper 002 Fig. 3 — stocBiO's batch size");

    /// <summary>The global-L2 grid and the learned words as tables.</summary>
    public static ResultTable GridTable(NewsgroupsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new ResultTable("One global L2 weight (every λⱼ = λ), W fitted by L-BFGS",
            ["λ", "validation loss", "test accuracy", "test loss"], [.. report.Grid.Select(g => (IReadOnlyList<string>)[Number(g.Lambda), Number(g.ValidationLoss), Percent(g.TestAccuracy), Number(g.TestLoss)])]);
    }

    /// <summary>The terms the best method regularises least and most (terms in ≥ 20 training messages).</summary>
    public static ResultTable WordsTable(NewsgroupsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = new List<IReadOnlyList<string>>();
        for (var i = 0; i < Math.Max(report.LeastRegularized.Count, report.MostRegularized.Count); i++)
        {
            var least = i < report.LeastRegularized.Count ? report.LeastRegularized[i] : ("", double.NaN);
            var most = i < report.MostRegularized.Count ? report.MostRegularized[i] : ("", double.NaN);
            rows.Add([least.Item1, Number(least.Item2), most.Item1, Number(most.Item2)]);
        }

        return new ResultTable("Learned λⱼ: least and most regularised terms", ["least regularised", "λⱼ", "most regularised", "λⱼ"], rows);
    }

    private static Figure Figure(NewsgroupsReport report, IReadOnlyList<HyperCleaningRun> runs, string title)
    {
        ArgumentNullException.ThrowIfNull(report);
        var figure = new Figure(title, 1, 2);
        var groups = runs.Select(r => (r.Label, r.Traces)).ToList();
        TraceFigures.AddNamed(figure, groups, TraceAxis.Seconds, TraceQuantity.Metric, "test loss", 1, 1);
        TraceFigures.AddNamed(figure, groups, TraceAxis.Seconds, TraceQuantity.Metric, "test accuracy", 1, 2);
        figure.XAxis(1, 1).Title = "solver seconds";
        figure.YAxis(1, 1).Title = "test loss";
        figure.XAxis(1, 2).Title = "solver seconds";
        figure.YAxis(1, 2).Title = "test accuracy";
        return figure;
    }
}
