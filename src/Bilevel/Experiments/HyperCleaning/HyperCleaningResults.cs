using System.Text;
using System.Text.Json;
using Bilevel.Plotting;

namespace Bilevel.Experiments.HyperCleaning;

/// <summary>
/// Writes a <see cref="HyperCleaningReport"/> to a folder (default <c>results/hyper-cleaning/</c>): <c>summary.json</c>
/// (settings, measured spectrum, every run's medians, reference models, cleaning quality, claims), <c>claims.txt</c>,
/// one CSV of traces per run under <c>traces/</c>, every split and corruption mask under <c>data/</c>, and standalone
/// Plotly pages under <c>figures/</c>.
/// </summary>
public static class HyperCleaningResults
{
    private static readonly JsonSerializerOptions Json = ResultsJson.Options;

    /// <summary>The summary as a JSON-serialisable object (what <c>--json</c> prints).</summary>
    public static object Summary(HyperCleaningReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var s = report.Settings;
        return new
        {
            profile = s.Profile.ToString().ToLowerInvariant(),
            seconds = report.Seconds,
            settings = new
            {
                s.Seeds,
                s.DataSeed,
                linearSizes = s.LinearSizes.ToString(),
                mnistSizes = s.MnistSizes.ToString(),
                cnnSizes = s.CnnSizes.ToString(),
                s.CnnFilters,
                s.CnnBatch,
                s.CnnIterations,
                s.Paper002Rates,
                s.Paper002Seconds,
                s.Paper003Seconds,
                s.MnistSeconds,
                s.LazyPeriods,
                s.Paper003Rates,
                s.UpperStep,
            },
            spectrum = new
            {
                atStart = report.SpectrumAtStart.Eigenvalue,
                allWeightsOne = report.Steps.LowerSmoothness,
                safeStep = report.Steps.SafeStep,
            },
            data = report.Data.Select(d => new { d.Dataset, d.CorruptionRate, sizes = d.Sizes.ToString(), d.Seed, d.CorruptedCount, file = DataFile(d) }),
            runs = report.Runs.Select(r => new
            {
                section = r.Section,
                r.Dataset,
                r.CorruptionRate,
                r.Label,
                solver = r.Method.Solver,
                r.Method.Settings,
                r.Group,
                seeds = r.Traces.Select(t => t.Seed),
                medianSeconds = r.Seconds,
                medianIterations = r.Iterations,
                medianUpperSteps = r.UpperSteps,
                medianHvps = r.Hvps,
                finalValidationLoss = r.FinalUpperLoss,
                finalTestLoss = r.FinalMetric("test loss"),
                finalTestAccuracy = r.FinalMetric("test accuracy"),
                stopReasons = r.Traces.Select(t => t.StopReason),
                traces = TraceFile(r),
            }),
            baselines = report.Baselines,
            cleaning = report.Cleaning,
            claims = report.Claims,
        };
    }

    /// <summary>Writes everything under <paramref name="directory"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Write(HyperCleaningReport report, string directory)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var folder = new ResultsFolder(directory);
        folder.Text("summary.json", JsonSerializer.Serialize(Summary(report), Json));
        folder.Text("claims.txt", new ClaimTable("Hyper-cleaning claims", report.Claims).ToString() + "\n");
        folder.Text("summary.txt", HyperCleaningFigures.Summary(report).ToText() + "\n\n" + HyperCleaningFigures.Baselines(report).ToText() + "\n");
        foreach (var run in report.Runs)
        {
            folder.Traces(TraceFile(run), run.Traces);
        }

        foreach (var record in report.Data)
        {
            var d = record.Data;
            var corrupted = Enumerable.Range(0, d.CorruptedMask.Length).Where(i => d.CorruptedMask[i]).ToArray();
            folder.Text(DataFile(record), JsonSerializer.Serialize(new
            {
                d.Name,
                d.CorruptionRate,
                d.Seed,
                corruption = "exactly round(p·n) training labels replaced by (y + U{1..C−1}) mod C",
                trainIndices = d.TrainIndices,
                validationIndices = d.ValidationIndices,
                testIndices = d.TestIndices,
                corruptedTrainRows = corrupted,
                corruptedLabels = corrupted.Select(i => d.Train.Labels[i]),
                trueLabels = corrupted.Select(i => d.TrueTrainLabels[i]),
            }, Json));
        }

        foreach (var (name, figure) in Figures(report))
        {
            folder.Figure(Path.Combine("figures", name + ".html"), figure);
        }

        return folder.Files;
    }

    /// <summary>Every figure of the report with a file name.</summary>
    public static IReadOnlyList<(string Name, Figure Figure)> Figures(HyperCleaningReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return
        [
            ("paper002-loss-vs-time", HyperCleaningFigures.Paper002(report)),
            ("paper003-fashion-mnist", HyperCleaningFigures.Paper003(report)),
            ("paper003-laziness", HyperCleaningFigures.Paper003Ablation(report, HyperCleaningSection.Paper003Laziness)),
            ("paper003-corruption-rate", HyperCleaningFigures.Paper003Ablation(report, HyperCleaningSection.Paper003Rates)),
            ("paper003-mnist", HyperCleaningFigures.Paper003(report, HyperCleaningSection.Paper003Mnist)),
            ("paper000-cnn", HyperCleaningFigures.Paper000(report)),
            ("paper000-ablations", HyperCleaningFigures.Paper000Ablation(report)),
            ("accuracy-vs-time", HyperCleaningFigures.AccuracyAgainstTime(report)),
        ];
    }

    private static string TraceFile(HyperCleaningRun run) =>
        Path.Combine("traces", Safe(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{run.Section}-{run.Dataset}-p{run.CorruptionRate:G2}-{run.Label}")) + ".csv");

    private static string DataFile(HyperCleaningDataRecord record) =>
        Path.Combine("data", Safe(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{record.Dataset}-p{record.CorruptionRate:G2}-seed{record.Seed}-{record.Sizes.Train}")) + ".json");

    private static string Safe(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '-');
        }

        return text.ToString();
    }
}
