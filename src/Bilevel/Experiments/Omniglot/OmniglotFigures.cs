using System.Text.Json;
using Bilevel.Interactive;
using Bilevel.Plotting;
using Bilevel.Traces;

using static Bilevel.Experiments.Omniglot.OmniglotExperiment;
using static Bilevel.Experiments.ReportFormat;

namespace Bilevel.Experiments.Omniglot;

/// <summary>Notebook 03's charts and tables, and the results folder of <c>bilevel reproduce omniglot</c>.</summary>
public static class OmniglotFigures
{
    private static readonly JsonSerializerOptions Json = ResultsJson.Options;

    /// <summary>Paper 001 Fig. 1: meta-test accuracy (monitor tasks) against log solver seconds, one panel per shape.</summary>
    public static Figure Paper001(OmniglotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var shapes = report.Settings.Paper001Shapes;
        var figure = new Figure("Paper 001 Fig. 1 — Omniglot hyper-representation: meta-test accuracy against time", 1, shapes.Count) { Width = 450 * shapes.Count };
        for (var i = 0; i < shapes.Count; i++)
        {
            Curves(figure, report.Section(OmniglotSection.Paper001, shapes[i]), MetaTest, 1, i + 1, log: true);
            figure.SubplotTitle(1, i + 1, shapes[i].ToString());
        }

        return figure;
    }

    /// <summary>Paper 002 Fig. 1: training accuracy (query sets of the meta-train tasks) and meta-test accuracy against solver seconds.</summary>
    public static Figure Paper002(OmniglotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var figure = new Figure($"Paper 002 Fig. 1 — {OmniglotSettings.Paper002Shape} Omniglot: training and meta-test accuracy", 1, 2) { Width = 1000 };
        var runs = report.Section(OmniglotSection.Paper002);
        Curves(figure, runs, Training, 1, 1, log: false);
        Curves(figure, runs, MetaTest, 1, 2, log: false);
        figure.SubplotTitle(1, 1, "training accuracy").SubplotTitle(1, 2, "meta-test accuracy");
        return figure;
    }

    /// <summary>Paper 002 Figs. 5–6: ITD-BiO against ANIL at T = 10 and T = 20 inner steps.</summary>
    public static Figure Robustness(OmniglotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var groups = report.Section(OmniglotSection.Robustness).GroupBy(r => r.InnerSteps).ToList();
        var figure = new Figure("Paper 002 Figs. 5–6 — robustness to the number of inner steps: meta-test accuracy", 1, Math.Max(1, groups.Count)) { Width = 1000 };
        for (var i = 0; i < groups.Count; i++)
        {
            Curves(figure, [.. groups[i]], MetaTest, 1, i + 1, log: false);
            figure.SubplotTitle(1, i + 1, $"T = {groups[i].Key}");
        }

        return figure;
    }

    /// <summary>Every method of both papers on one chart: meta-test accuracy against log solver seconds, paper 002's shape.</summary>
    public static Figure AllMethods(OmniglotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var shape = OmniglotSettings.Paper002Shape;
        var runs = report.Runs.Where(r => r.Shape == shape && r.Section != OmniglotSection.Robustness).ToList();
        if (runs.Count == 0)
        {
            runs = [.. report.Runs.Where(r => r.Section != OmniglotSection.Robustness)];
        }

        var figure = new Figure($"All methods, {runs.FirstOrDefault()?.Shape ?? shape}: meta-test accuracy against time");
        Curves(figure, runs, MetaTest, 1, 1, log: true);
        return figure;
    }

    /// <summary>One row per run: meta-test accuracy with its 95% interval, one-shot runs, time and oracle counts.</summary>
    public static ResultTable Table(OmniglotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var r in report.Runs)
        {
            var c = r.Trace.Final.Counts;
            rows.Add([r.Section.ToString(), r.Shape.ToString(), r.Label, Accuracy(r.Test), r.OneShot is { } o ? Accuracy(o) : "—", Number(r.Seconds),
                Count(r.Iterations), Count(c.Hvps), Count(c.CrossProducts), Count(c.Gradients), r.Trace.StopReason.ToString()]);
        }

        foreach (var (shape, accuracy) in report.RandomFeatures)
        {
            rows.Add(["reference", shape, "untrained ConvNet (random features)", Accuracy(accuracy), shape == OmniglotSettings.Paper002Shape.ToString() ? Accuracy(report.RandomOneShot) : "—", "0", "0", "0", "0", "0", "—"]);
        }

        var tasks = report.Runs.Count > 0 ? report.Runs[0].Test.PerTask.Count : report.Settings.TestEpisodes;
        return new ResultTable($"Omniglot meta-test accuracy (± 95% interval over {tasks} test tasks; heads fitted by L-BFGS) and cost",
            ["section", "tasks", "method", "meta-test accuracy", "20-way one-shot runs", "seconds", "iterations", "HVPs", "cross products", "gradients", "stop"], rows);
    }

    /// <summary>Writes summary.json, summary.txt, claims.txt, traces/*.csv and figures/*.html under <paramref name="directory"/>.</summary>
    public static IReadOnlyList<string> Write(OmniglotReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var folder = new ResultsFolder(directory);
        folder.Text("summary.json", JsonSerializer.Serialize(Summary(report), Json));
        folder.Text("summary.txt", Table(report).ToText() + "\n");
        folder.Text("claims.txt", new ClaimTable("Omniglot claims (papers 001 and 002, issue 8)", report.Claims) + "\n");
        foreach (var run in report.Runs)
        {
            folder.Traces(TraceFile(run), [run.Trace]);
        }

        foreach (var (name, figure) in new[] { ("paper001-fig1", Paper001(report)), ("paper002-fig1", Paper002(report)), ("paper002-figs5-6", Robustness(report)), ("all-methods", AllMethods(report)) })
        {
            folder.Figure(Path.Combine("figures", name + ".html"), figure);
        }

        return folder.Files;
    }

    /// <summary>The JSON summary (what <c>--json</c> prints).</summary>
    public static object Summary(OmniglotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new
        {
            profile = report.Settings.Profile.ToString().ToLowerInvariant(),
            report.Seconds,
            report.Data,
            settings = report.Settings,
            randomFeatures = report.RandomFeatures.Select(p => new { shape = p.Key, mean = p.Value.Mean, halfWidth95 = p.Value.HalfWidth95, tasks = p.Value.PerTask.Count }),
            innerSteps = report.InnerSteps.Select(s => new { shape = s.Shape.ToString(), smoothness = s.Smoothness, step = s.Step }),
            randomOneShot = new { mean = report.RandomOneShot.Mean, halfWidth95 = report.RandomOneShot.HalfWidth95 },
            runs = report.Runs.Select(r => new
            {
                section = r.Section,
                shape = r.Shape.ToString(),
                r.Label,
                solver = r.Method.Method.Solver,
                r.Method.Method.Settings,
                r.Method.ResetHeads,
                r.InnerSteps,
                r.Seconds,
                r.Iterations,
                metaTest = new { mean = r.Test.Mean, halfWidth95 = r.Test.HalfWidth95, tasks = r.Test.PerTask.Count },
                oneShot = r.OneShot is { } o ? new { mean = o.Mean, halfWidth95 = o.HalfWidth95, tasks = o.PerTask.Count } : null,
                hvps = r.Trace.Final.Counts.Hvps,
                crossProducts = r.Trace.Final.Counts.CrossProducts,
                gradients = r.Trace.Final.Counts.Gradients,
                stopReason = r.Trace.StopReason,
                traces = TraceFile(r),
            }),
            claims = report.Claims,
        };
    }


    private static string TraceFile(OmniglotRun run) =>
        Path.Combine("traces", $"{run.Section}-{run.Shape.Ways}w{run.Shape.Shots}s-{run.Label}".ToLowerInvariant().Replace(' ', '-').Replace('=', '-') + ".csv");

    private static void Curves(Figure figure, IReadOnlyList<OmniglotRun> runs, string metric, int row, int column, bool log)
    {
        TraceFigures.AddNamed(figure, [.. runs.Select(r => (r.Label, (IReadOnlyList<SolverTrace>)[r.Trace]))], TraceAxis.Seconds, TraceQuantity.Metric, metric, row, column);
        figure.XAxis(row, column).Title = "solver seconds";
        figure.XAxis(row, column).Type = log ? AxisType.Log : AxisType.Linear;
        figure.YAxis(row, column).Title = metric;
    }
}
