using System.Globalization;
using System.Text;

namespace Bilevel.Traces;

/// <summary>Traces as CSV (RFC 4180, invariant culture, one row per evaluated point, empty cells for unknown values).</summary>
public static class TraceCsv
{
    /// <summary>The fixed columns, before the metric columns.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "solver", "problem", "seed", "iteration", "upper_steps", "seconds", "upper_gradients_x", "upper_gradients_y",
        "lower_gradients_x", "lower_gradients_y", "hvps", "cross_products", "upper_samples", "lower_samples",
        "upper_loss", "lower_loss", "hypergradient_norm", "lower_error", "upper_objective",
    ];

    /// <summary>Writes every trace's rows under one header; metric columns are the union of the traces' metrics.</summary>
    public static void Write(TextWriter writer, IEnumerable<SolverTrace> traces)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(traces);
        var list = traces.ToList();
        var metrics = new List<string>();
        foreach (var trace in list)
        {
            foreach (var name in trace.MetricNames)
            {
                if (!metrics.Contains(name))
                {
                    metrics.Add(name);
                }
            }
        }

        writer.WriteLine(string.Join(',', Columns.Concat(metrics).Select(Quote)));
        var line = new StringBuilder();
        foreach (var trace in list)
        {
            foreach (var row in trace.Rows)
            {
                line.Clear();
                var c = row.Counts;
                line.Append(Quote(trace.Solver.Name)).Append(',').Append(Quote(trace.Problem)).Append(',')
                    .Append(trace.Seed.ToString(CultureInfo.InvariantCulture));
                foreach (var v in new[] { row.Iteration, row.UpperSteps })
                {
                    line.Append(',').Append(v.ToString(CultureInfo.InvariantCulture));
                }

                line.Append(',').Append(Number(row.Seconds));
                foreach (var v in new[] { c.UpperGradientsX, c.UpperGradientsY, c.LowerGradientsX, c.LowerGradientsY, c.Hvps, c.CrossProducts, c.UpperSamples, c.LowerSamples })
                {
                    line.Append(',').Append(v.ToString(CultureInfo.InvariantCulture));
                }

                foreach (var v in new[] { row.UpperLoss, row.LowerLoss, row.HypergradientNorm, row.LowerError, row.UpperObjective })
                {
                    line.Append(',').Append(v is { } value ? Number(value) : "");
                }

                foreach (var name in metrics)
                {
                    var index = TraceMetrics.IndexOf(trace.MetricNames, name);
                    line.Append(',').Append(index < 0 ? "" : Number(row.Metrics[index]));
                }

                writer.WriteLine(line.ToString());
            }
        }
    }

    /// <summary>Writes the traces to a file (creating its folder).</summary>
    public static void Save(string path, IEnumerable<SolverTrace> traces)
    {
        ArgumentNullException.ThrowIfNull(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        Write(writer, traces);
    }

    private static string Number(double value) => double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\n\r") < 0 ? text : $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
