using System.Text.Json;

namespace Bilevel.Experiments.Newsgroups;

/// <summary>Writes the 20 Newsgroups experiment under <c>results/newsgroups/</c>: summary.json, claims.txt, tables.txt, one trace CSV per run and the two figures.</summary>
public static class NewsgroupsResults
{
    /// <summary>The claims table's title.</summary>
    public const string ClaimsTitle = "20 Newsgroups claims (paper 002 App. A.2 and issue 10)";

    /// <summary>The summary as one object (profile, data, peak memory, per-run medians, the global-L2 grid, the learned words, claims).</summary>
    public static object Summary(NewsgroupsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new
        {
            profile = report.Settings.Profile.ToString().ToLowerInvariant(),
            report.Seconds,
            report.Data,
            report.PeakWorkingSetBytes,
            runs = report.Runs.Select(r => new
            {
                r.Label,
                solver = r.Method.Solver,
                r.Method.Settings,
                seeds = r.Traces.Count,
                medianSeconds = r.Seconds,
                medianIterations = r.Iterations,
                finalValidationLoss = r.FinalUpperLoss,
                finalTestLoss = r.FinalMetric("test loss"),
                finalTestAccuracy = r.FinalMetric("test accuracy"),
            }),
            grid = report.Grid.Select(g => new { g.Lambda, g.ValidationLoss, g.TestAccuracy, g.TestLoss }),
            leastRegularized = report.LeastRegularized.Select(t => new { t.Term, t.Lambda }),
            mostRegularized = report.MostRegularized.Select(t => new { t.Term, t.Lambda }),
            claims = report.Claims,
        };
    }

    /// <summary>The summary as JSON.</summary>
    public static string SummaryJson(NewsgroupsReport report) => JsonSerializer.Serialize(Summary(report), ResultsJson.Options);

    /// <summary>Writes every file; returns their paths.</summary>
    public static IReadOnlyList<string> Write(NewsgroupsReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var folder = new ResultsFolder(directory);
        folder.Text("summary.json", SummaryJson(report));
        folder.Text("claims.txt", new ClaimTable(ClaimsTitle, report.Claims) + "\n");
        folder.Text("tables.txt", NewsgroupsExperiment.GridTable(report).ToText() + "\n\n" + NewsgroupsExperiment.WordsTable(report).ToText() + "\n");
        foreach (var run in report.Runs)
        {
            folder.Traces(Path.Combine("traces", run.Label.Replace(' ', '-').Replace('=', '-') + ".csv"), run.Traces);
        }

        folder.Figure("fig2-test-loss-accuracy.html", NewsgroupsExperiment.MainFigure(report));
        folder.Figure("fig3-batch-size.html", NewsgroupsExperiment.BatchFigure(report));
        return folder.Files;
    }
}
