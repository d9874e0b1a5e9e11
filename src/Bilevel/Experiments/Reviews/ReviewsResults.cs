using System.Text.Json;

namespace Bilevel.Experiments.Reviews;

/// <summary>Writes the reviews experiment under <c>results/reviews/</c>: summary.json, claims.txt, tables.txt, one trace CSV per run and the figures.</summary>
public static class ReviewsResults
{
    private static readonly JsonSerializerOptions Json = ResultsJson.Options;

    /// <summary>The summary as one object (profile, sizes, per-run medians, ablations, smoothness, claims).</summary>
    public static object Summary(ReviewsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new
        {
            profile = report.Settings.Profile.ToString().ToLowerInvariant(),
            report.Seconds,
            settings = report.Settings,
            report.Data,
            report.TestDomains,
            runs = report.Runs.Select(r => new
            {
                task = r.TaskName,
                r.Label,
                r.Group,
                parameter = double.IsNaN(r.Parameter) ? (double?)null : r.Parameter,
                solver = r.Method.Solver,
                r.Method.Settings,
                seeds = r.Traces.Count,
                stop = r.Traces.Select(t => t.StopReason.ToString()),
                medianIterations = r.Iterations,
                medianSeconds = r.Seconds,
                finalTestAccuracy = r.TestAccuracy,
                finalTestLoss = r.FinalMetric("test loss"),
                finalUpperLoss = r.FinalUpperLoss,
                finalLowerLoss = r.FinalLowerLoss,
            }),
            cleaningReferences = report.Baselines,
            cleanedModels = report.Refits,
            supervisedEncoders = report.Supervised,
            smoothness = report.Smoothness,
            claims = report.Claims,
        };
    }

    /// <summary>The summary as JSON.</summary>
    public static string SummaryJson(ReviewsReport report) => JsonSerializer.Serialize(Summary(report), Json);

    /// <summary>Writes every file; returns their paths.</summary>
    public static IReadOnlyList<string> Write(ReviewsReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var folder = new ResultsFolder(directory);
        folder.Text("summary.json", SummaryJson(report));
        folder.Text("claims.txt", new ClaimTable("Paper 004 text experiments: claims (issue 9)", report.Claims) + "\n");
        var tables = report.Comparisons.Select(c => ReviewsFigures.Table(report, c.Task, c.Rate).ToText())
            .Append(ReviewsFigures.CrossTask(report).ToText()).Append(ReviewsFigures.Ablations(report).ToText()).Append(ReviewsFigures.Uncleaned(report).ToText())
            .Append(ReviewsFigures.Supervised(report).ToText());
        folder.Text("tables.txt", string.Join("\n\n", tables) + "\n");
        foreach (var run in report.Runs)
        {
            var name = $"{run.TaskName}-{run.Group ?? "main"}-{run.Label}".Replace(' ', '-').Replace('=', '-').Replace('²', '2').Replace("/", "-", StringComparison.Ordinal);
            folder.Traces(Path.Combine("traces", name + ".csv"), run.Traces);
        }

        void Figure(string name, Plotting.Figure figure) => folder.Figure(Path.Combine("figures", name + ".html"), figure);
        foreach (var (task, rate) in report.Comparisons)
        {
            Figure(ReviewsExperiment.TaskName(task, rate).Replace(' ', '-').Replace('=', '-'), ReviewsFigures.Main(report, task, rate));
        }

        Figure("table3-radius", ReviewsFigures.Radius(report));
        Figure("fig7-period-steps", ReviewsFigures.Periods(report));
        Figure("fig8-large-period", ReviewsFigures.LargePeriod(report));
        Figure("appG-smoothness", ReviewsFigures.Smoothness(report));
        Figure("glove-50-vs-100", ReviewsFigures.Dimensions(report));
        return folder.Files;
    }
}
