using System.Globalization;
using Bilevel.Interactive;
using Bilevel.Plotting;
using Bilevel.Traces;

using static Bilevel.Experiments.ReportFormat;

namespace Bilevel.Experiments.HyperCleaning;

/// <summary>The figures and tables of notebook 02 (median over seeds with a min–max band, as papers 000 and 003 draw them).</summary>
public static class HyperCleaningFigures
{
    /// <summary>Paper 002 Fig. 4: validation (left) and test (right) loss against solver seconds, one row per corruption rate.</summary>
    public static Figure Paper002(HyperCleaningReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rates = report.Settings.Paper002Rates;
        var figure = new Figure("Paper 002 — hyper-cleaning, Fashion-MNIST: loss against time", rates.Count, 2) { Height = 330 * rates.Count };
        for (var i = 0; i < rates.Count; i++)
        {
            var runs = report.Section(HyperCleaningSection.Paper002, rates[i]);
            TraceFigures.AddNamed(figure, Groups(runs), TraceAxis.Seconds, TraceQuantity.UpperLoss, null, i + 1, 1);
            TraceFigures.AddNamed(figure, Groups(runs), TraceAxis.Seconds, TraceQuantity.Metric, "test loss", i + 1, 2);
            figure.SubplotTitle(i + 1, 1, $"validation loss, p = {rates[i].ToString("G2", CultureInfo.InvariantCulture)}");
            figure.SubplotTitle(i + 1, 2, $"test loss, p = {rates[i].ToString("G2", CultureInfo.InvariantCulture)}");
            Axes(figure, i + 1, 1, "solver seconds", "validation loss");
            Axes(figure, i + 1, 2, "solver seconds", "test loss");
        }

        return ShowEachLegendOnce(figure);
    }

    /// <summary>Paper 003 Fig. 1: validation loss against seconds (left) and against HVPs (right), main methods and Table 2's single-loop ones.</summary>
    public static Figure Paper003(HyperCleaningReport report, HyperCleaningSection section = HyperCleaningSection.Paper003)
    {
        ArgumentNullException.ThrowIfNull(report);
        var runs = report.Section(section);
        var data = runs.Count > 0 ? runs[0].Dataset : "";
        var figure = new Figure($"Paper 003 — hyper-cleaning, {data}, p = 0.1: validation loss against time and Hessian-vector products", 1, 2);
        TraceFigures.AddNamed(figure, Groups(runs), TraceAxis.Seconds, TraceQuantity.UpperLoss, null, 1, 1);
        TraceFigures.AddNamed(figure, Groups(runs), TraceAxis.Hvps, TraceQuantity.UpperLoss, null, 1, 2);
        Axes(figure, 1, 1, "solver seconds", "validation loss");
        Axes(figure, 1, 2, "HVPs", "validation loss", logX: true);
        return ShowEachLegendOnce(figure);
    }

    /// <summary>Paper 003 Fig. 3 (laziness period N) or Fig. 4 (corruption rate p): LazyBLO's validation loss against seconds.</summary>
    public static Figure Paper003Ablation(HyperCleaningReport report, HyperCleaningSection section)
    {
        ArgumentNullException.ThrowIfNull(report);
        var title = section == HyperCleaningSection.Paper003Laziness ? "Paper 003 Fig. 3 — LazyBLO's laziness period N" : "Paper 003 Fig. 4 — LazyBLO at several corruption rates p";
        var figure = new Figure(title, 1, 2);
        var runs = report.Section(section);
        TraceFigures.AddNamed(figure, Groups(runs), TraceAxis.Seconds, TraceQuantity.UpperLoss, null, 1, 1);
        TraceFigures.AddNamed(figure, Groups(runs), TraceAxis.UpperSteps, TraceQuantity.UpperLoss, null, 1, 2);
        Axes(figure, 1, 1, "solver seconds", "validation loss");
        Axes(figure, 1, 2, "x-updates", "validation loss");
        return ShowEachLegendOnce(figure);
    }

    /// <summary>Paper 000 Figs. 2–3: the CNN's validation loss against hyper-iterations (left) and log seconds (right).</summary>
    public static Figure Paper000(HyperCleaningReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var runs = report.Section(HyperCleaningSection.Paper000);
        var figure = new Figure("Paper 000 — CNN hyper-cleaning, Fashion-MNIST, γ = 0.8: validation loss", 1, 2);
        TraceFigures.AddNamed(figure, Groups(runs), TraceAxis.Iterations, TraceQuantity.UpperLoss, null, 1, 1);
        TraceFigures.AddNamed(figure, Groups(runs), TraceAxis.Seconds, TraceQuantity.UpperLoss, null, 1, 2);
        Axes(figure, 1, 1, "hyper-iterations", "validation loss");
        Axes(figure, 1, 2, "solver seconds", "validation loss", logX: true);
        return ShowEachLegendOnce(figure);
    }

    /// <summary>Paper 000 Figs. 5–6: FSLA with one hyperparameter halved or doubled, one panel per hyperparameter, the default in each.</summary>
    public static Figure Paper000Ablation(HyperCleaningReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var runs = report.Section(HyperCleaningSection.Paper000Ablation);
        var groups = runs.Select(r => r.Group ?? "").Distinct().ToList();
        var fsla = report.Find(HyperCleaningSection.Paper000, "FSLA");
        var figure = new Figure("Paper 000 Figs. 5–6 — FSLA's sensitivity (validation loss against hyper-iterations)", 1, Math.Max(1, groups.Count)) { Width = Math.Max(900, 300 * groups.Count) };
        for (var g = 0; g < groups.Count; g++)
        {
            var members = runs.Where(r => r.Group == groups[g]).ToList();
            if (fsla is not null)
            {
                members.Insert(0, fsla);
            }

            TraceFigures.AddNamed(figure, Groups(members), TraceAxis.Iterations, TraceQuantity.UpperLoss, null, 1, g + 1);
            figure.SubplotTitle(1, g + 1, groups[g]);
            Axes(figure, 1, g + 1, "hyper-iterations", g == 0 ? "validation loss" : "");
        }

        return figure;
    }

    /// <summary>Beyond the papers: every method's final test accuracy against its solver seconds (one marker per method, Fashion-MNIST p = 0.1 linear runs).</summary>
    public static Figure AccuracyAgainstTime(HyperCleaningReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var figure = new Figure("All linear methods, Fashion-MNIST p = 0.1: final test accuracy against time (median over seeds)");
        var index = 0;
        foreach (var run in report.Runs.Where(r => r.Section is HyperCleaningSection.Paper002 or HyperCleaningSection.Paper003 && r.CorruptionRate == HyperCleaningSettings.MainRate))
        {
            figure.Add(new ScatterTrace($"{run.Label} ({Short(run.Section)})", [run.Seconds], [run.FinalMetric("test accuracy")])
            {
                Mode = TraceMode.Markers,
                Color = Palette.Color(index++),
                HoverText = [$"{run.Label}: {run.Hvps:G4} HVPs, validation loss {run.FinalUpperLoss:G4}"],
            });
        }

        foreach (var baseline in report.Baselines.Where(b => b.Dataset == "Fashion-MNIST" && b.CorruptionRate == HyperCleaningSettings.MainRate && !b.Name.StartsWith("learned", StringComparison.Ordinal)))
        {
            var xs = report.Runs.Count == 0 ? [0.0, 1.0] : new[] { 0.0, report.Runs.Max(r => r.Seconds) };
            figure.Add(new ScatterTrace(baseline.Name, xs, [baseline.TestAccuracy, baseline.TestAccuracy]) { Dash = LineDash.Dash, Color = "#555555", LineWidth = 1 });
        }

        figure.XAxis().Title = "solver seconds";
        figure.YAxis().Title = "test accuracy";
        return figure;
    }

    /// <summary>The one table that puts every method on the same axes (issue 7 "beyond the papers").</summary>
    public static ResultTable Summary(HyperCleaningReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var run in report.Runs.Where(r => r.Section is not (HyperCleaningSection.Paper003Laziness or HyperCleaningSection.Paper003Rates or HyperCleaningSection.Paper000Ablation)))
        {
            var cleaning = report.Cleaning.FirstOrDefault(c => c.Label == run.Label && c.Section == run.Section && c.Dataset == run.Dataset && c.CorruptionRate == run.CorruptionRate);
            var refit = cleaning?.RefitTestAccuracy;
            rows.Add([
                run.Label, Short(run.Section), run.Dataset, Number(run.CorruptionRate), Number(run.Seconds), Number(run.Iterations), Number(run.Hvps),
                Number(run.FinalUpperLoss), Percent(run.FinalMetric("test accuracy")), refit is { } r ? Percent(r) : "—",
                cleaning is null ? "—" : Number(cleaning.Auc), cleaning is null ? "—" : Number(cleaning.Precision), cleaning is null ? "—" : Number(cleaning.Recall),
            ]);
        }

        return new ResultTable("Every method on the same axes (medians over seeds)",
            ["method", "section", "data", "p", "seconds", "iterations", "HVPs", "validation loss", "test accuracy", "test acc. (refit)", "AUC", "precision", "recall"], rows);
    }

    /// <summary>The reference models: uniform weights, clean subset only, and the refits at each method's learned weights.</summary>
    public static ResultTable Baselines(HyperCleaningReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Baselines.Select(b => (IReadOnlyList<string>)[b.Name, b.Dataset, Number(b.CorruptionRate), Percent(b.TestAccuracy), Number(b.TestLoss), Number(b.ValidationLoss), Number(b.GradientNorm)]).ToList();
        return new ResultTable("Reference models (lower level solved by L-BFGS at fixed weights)",
            ["model", "data", "p", "test accuracy", "test loss", "validation loss", "‖∇y g‖ at stop"], rows);
    }

    /// <summary>Paper 003 Tables 2–4 as measured: per method, x-updates and HVPs to the common loss, final accuracy and HVPs, time.</summary>
    public static ResultTable Paper003Tables(HyperCleaningReport report, HyperCleaningSection section = HyperCleaningSection.Paper003)
    {
        ArgumentNullException.ThrowIfNull(report);
        var target = HyperCleaningClaims.CommonLoss(report, section);
        var rows = report.Section(section).Select(r => (IReadOnlyList<string>)[
            r.Label, Cost(r.CostToReach(target, TraceAxis.UpperSteps)), Cost(r.CostToReach(target, TraceAxis.Hvps)), Cost(r.CostToReach(target, TraceAxis.Seconds)),
            Number(r.FinalUpperLoss), Percent(r.FinalMetric("test accuracy")), Number(r.Hvps), Number(r.Seconds)]).ToList();
        return new ResultTable($"Paper 003 Tables 2–4 as measured (common validation loss {Number(target)})",
            ["method", "x-updates to common loss", "HVPs to common loss", "seconds to common loss", "final validation loss", "test accuracy", "HVPs", "seconds"], rows);
    }

    private static void Axes(Figure figure, int row, int column, string x, string y, bool logX = false)
    {
        figure.XAxis(row, column).Title = x;
        figure.XAxis(row, column).Type = logX ? AxisType.Log : AxisType.Linear;
        figure.YAxis(row, column).Title = y;
        figure.YAxis(row, column).Type = AxisType.Linear;
    }

    private static IEnumerable<(string Name, IReadOnlyList<SolverTrace> Traces)> Groups(IEnumerable<HyperCleaningRun> runs) =>
        runs.Select(r => (r.Label, r.Traces));

    private static Figure ShowEachLegendOnce(Figure figure)
    {
        var seen = new HashSet<string>();
        foreach (var trace in figure.Traces)
        {
            if (trace.ShowLegend && !seen.Add(trace.Name))
            {
                trace.ShowLegend = false;
            }
        }

        return figure;
    }

    private static string Short(HyperCleaningSection section) => section switch
    {
        HyperCleaningSection.Paper002 => "002",
        HyperCleaningSection.Paper003 => "003",
        HyperCleaningSection.Paper003Mnist => "003 MNIST",
        HyperCleaningSection.Paper000 => "000 CNN",
        _ => section.ToString(),
    };
}
