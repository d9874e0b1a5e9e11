using Bilevel.Plotting;

namespace Bilevel.Traces;

/// <summary>Traces to Plotly figures: one curve per solver (the median over seeds) with its min–max band.</summary>
public static class TraceFigures
{
    /// <summary>
    /// A convergence figure: for each group of traces (one solver's seeds), the median of <paramref name="quantity"/>
    /// against <paramref name="axis"/> with a min–max band. Log y by default, as error curves are read.
    /// </summary>
    public static Figure Convergence(IEnumerable<IReadOnlyList<SolverTrace>> groups, TraceAxis axis, TraceQuantity quantity,
        string? metric = null, string? title = null, bool logY = true, bool logX = false)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var figure = new Figure(title);
        AddTo(figure, groups, axis, quantity, metric);
        figure.XAxis().Title = AxisTitle(axis);
        figure.XAxis().Type = logX ? AxisType.Log : AxisType.Linear;
        figure.YAxis().Title = QuantityTitle(quantity, metric);
        figure.YAxis().Type = logY ? AxisType.Log : AxisType.Linear;
        return figure;
    }

    /// <summary>Adds the median-and-band curves of each group to one subplot of an existing figure.</summary>
    public static void AddTo(Figure figure, IEnumerable<IReadOnlyList<SolverTrace>> groups, TraceAxis axis, TraceQuantity quantity,
        string? metric = null, int row = 1, int column = 1)
    {
        ArgumentNullException.ThrowIfNull(figure);
        ArgumentNullException.ThrowIfNull(groups);
        foreach (var group in groups)
        {
            if (group.Count == 0)
            {
                continue;
            }

            var band = TraceBand.Aggregate(group, axis, quantity, metric);
            var name = group.Count == 1 ? group[0].Solver.DisplayName : $"{group[0].Solver.DisplayName} ({group.Count} seeds)";
            figure.AddBand(name, band.X, band.Median, band.Min, band.Max, row, column);
        }
    }

    /// <summary>
    /// As <see cref="AddTo"/>, with each group's legend name given (e.g. "BP_20" for one of several runs of one solver);
    /// <paramref name="axisScale"/> multiplies the axis values (iterations → epochs, for example).
    /// </summary>
    public static void AddNamed(Figure figure, IEnumerable<(string Name, IReadOnlyList<SolverTrace> Traces)> groups, TraceAxis axis, TraceQuantity quantity,
        string? metric = null, int row = 1, int column = 1, double axisScale = 1)
    {
        if (!(axisScale > 0) || double.IsInfinity(axisScale))
        {
            throw new ArgumentOutOfRangeException(nameof(axisScale), axisScale, "the axis scale must be positive and finite");
        }

        ArgumentNullException.ThrowIfNull(figure);
        ArgumentNullException.ThrowIfNull(groups);
        foreach (var (name, traces) in groups)
        {
            if (traces.Count == 0)
            {
                continue;
            }

            var band = TraceBand.Aggregate(traces, axis, quantity, metric);
            var x = axisScale == 1 ? band.X : [.. band.X.Select(v => v * axisScale)];
            figure.AddBand(traces.Count == 1 ? name : $"{name} ({traces.Count} seeds)", x, band.Median, band.Min, band.Max, row, column);
        }
    }

    /// <summary>The axis title of a trace axis.</summary>
    public static string AxisTitle(TraceAxis axis) => axis switch
    {
        TraceAxis.Iterations => "iterations",
        TraceAxis.UpperSteps => "upper-level steps",
        TraceAxis.Seconds => "solver time (s)",
        TraceAxis.Gradients => "gradient evaluations",
        TraceAxis.Hvps => "Hessian-vector products",
        TraceAxis.CrossProducts => "cross products",
        TraceAxis.SecondOrderProducts => "HVPs + cross products",
        TraceAxis.Samples => "samples",
        _ => axis.ToString(),
    };

    /// <summary>The axis title of a trace quantity.</summary>
    public static string QuantityTitle(TraceQuantity quantity, string? metric = null) => quantity switch
    {
        TraceQuantity.UpperLoss => "upper loss f(x, y)",
        TraceQuantity.LowerLoss => "lower loss g(x, y)",
        TraceQuantity.HypergradientNorm => "‖∇Φ(x)‖",
        TraceQuantity.RelativeHypergradientNorm => "‖∇Φ(x)‖ / ‖∇Φ(x₀)‖",
        TraceQuantity.LowerError => "‖y − y*(x)‖",
        TraceQuantity.UpperObjective => "Φ(x)",
        TraceQuantity.Metric => metric ?? "metric",
        _ => quantity.ToString(),
    };
}
