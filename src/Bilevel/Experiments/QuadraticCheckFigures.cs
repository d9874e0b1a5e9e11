using System.Globalization;
using Bilevel.Plotting;

namespace Bilevel.Experiments;

/// <summary>Plotly figures of a <see cref="QuadraticCheckReport"/> (paper 000 Figure 1 and its wall-clock view).</summary>
public static class QuadraticCheckFigures
{
    /// <summary>Set 1 (or 3): squared error ‖∇̂f_K − ∇f‖² against K, log–log, one curve per estimator.</summary>
    public static Figure ErrorAgainstSteps(QuadraticCheckReport report, int set = 1)
    {
        ArgumentNullException.ThrowIfNull(report);
        var figure = new Figure(set == 1
            ? "Paper 000 Fig. 1 (left): hypergradient error along K inner GD steps"
            : $"Set {set}: hypergradient error at the exact inner solution");
        figure.XAxis().Title = "K (inner steps / linear-solver iterations)";
        figure.XAxis().Type = AxisType.Log;
        figure.YAxis().Title = "‖∇̂f_K − ∇f‖²";
        figure.YAxis().Type = AxisType.Log;
        foreach (var (kind, rows) in BySet(report, set))
        {
            var trace = figure.AddLine(QuadraticCheck.DisplayName(kind), Column(rows, r => r.K), Column(rows, r => r.SqError), mode: TraceMode.LinesAndMarkers);
            trace.HoverText = Hover(rows);
        }

        return figure;
    }

    /// <summary>Set 1: squared error against the wall-clock seconds each estimate took from scratch, log–log.</summary>
    public static Figure ErrorAgainstTime(QuadraticCheckReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var figure = new Figure("Hypergradient error against wall-clock time (set 1, each estimate from scratch)");
        figure.XAxis().Title = "seconds";
        figure.XAxis().Type = AxisType.Log;
        figure.YAxis().Title = "‖∇̂f_K − ∇f‖²";
        figure.YAxis().Type = AxisType.Log;
        foreach (var (kind, rows) in BySet(report, 1))
        {
            var trace = figure.AddLine(QuadraticCheck.DisplayName(kind), Column(rows, r => r.Seconds), Column(rows, r => r.SqError), mode: TraceMode.LinesAndMarkers);
            trace.HoverText = Hover(rows);
        }

        return figure;
    }

    /// <summary>Set 2: NS-style error along ω_k = ω* + ω̃/k^α, one curve per α, with the e_ω reference slopes −2α.</summary>
    public static Figure SyntheticRates(QuadraticCheckReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var figure = new Figure("Paper 000 Fig. 1 (right): error along ω_k = ω* + ω̃ / k^α (Corollary 3.1)");
        figure.XAxis().Title = "k";
        figure.XAxis().Type = AxisType.Log;
        figure.YAxis().Title = "‖∇̂f_k − ∇f‖²";
        figure.YAxis().Type = AxisType.Log;
        var index = 0;
        foreach (var alpha in report.Options.AlphasOrDefault)
        {
            var rows = new List<QuadraticCheckRow>();
            foreach (var row in report.Rows)
            {
                if (row.Set == 2 && row.Alpha == alpha)
                {
                    rows.Add(row);
                }
            }

            var color = Palette.Color(index++);
            var k = Column(rows, r => r.K);
            var error = Column(rows, r => r.SqError);
            figure.AddLine(string.Create(CultureInfo.InvariantCulture, $"α = {alpha}"), k, error, color: color, mode: TraceMode.LinesAndMarkers).HoverText = Hover(rows);
            if (rows.Count > 0)
            {
                var last = rows[^1];
                var reference = new double[k.Length];
                for (var i = 0; i < k.Length; i++)
                {
                    reference[i] = last.SqError * Math.Pow(k[i] / last.K, -2 * alpha);
                }

                var guide = figure.Add(new ScatterTrace(string.Create(CultureInfo.InvariantCulture, $"slope −{2 * alpha} (α = {alpha})"), k, reference)
                {
                    Color = color,
                    Dash = LineDash.Dot,
                    LineWidth = 1,
                    LegendGroup = string.Create(CultureInfo.InvariantCulture, $"α = {alpha}"),
                    ShowLegend = false,
                });
                guide.Hover = false;
            }
        }

        return figure;
    }

    private static List<(EstimatorKind Kind, List<QuadraticCheckRow> Rows)> BySet(QuadraticCheckReport report, int set)
    {
        var groups = new List<(EstimatorKind, List<QuadraticCheckRow>)>();
        foreach (var row in report.Rows)
        {
            if (row.Set != set)
            {
                continue;
            }

            var found = groups.FindIndex(g => g.Item1 == row.Estimator);
            if (found < 0)
            {
                groups.Add((row.Estimator, [row]));
            }
            else
            {
                groups[found].Item2.Add(row);
            }
        }

        return groups;
    }

    private static double[] Column(List<QuadraticCheckRow> rows, Func<QuadraticCheckRow, double> select)
    {
        var values = new double[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            values[i] = select(rows[i]);
        }

        return values;
    }

    private static string[] Hover(List<QuadraticCheckRow> rows)
    {
        var text = new string[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            text[i] = string.Create(CultureInfo.InvariantCulture,
                $"K={r.K}: rel. error {r.RelError:G3}, {r.Grads} grads, {r.Hvps} HVPs, {r.Jvps} cross, {r.Seconds * 1e3:G3} ms");
        }

        return text;
    }
}
