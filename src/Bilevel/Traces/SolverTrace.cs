using Bilevel.Problems;
using Bilevel.Solvers;

namespace Bilevel.Traces;

/// <summary>
/// One evaluated point of a run. Counts and seconds are the solver's own (evaluation excluded).
/// </summary>
/// <param name="Iteration">Iterations completed.</param>
/// <param name="UpperSteps">Updates of x completed.</param>
/// <param name="Seconds">Solver wall-clock seconds, evaluation excluded.</param>
/// <param name="Counts">Oracle calls the solver made so far.</param>
/// <param name="UpperLoss">f(x, y) on the full upper data set.</param>
/// <param name="LowerLoss">g(x, y) on the full lower data set.</param>
/// <param name="HypergradientNorm">‖∇Φ(x)‖ where the problem knows it (<see cref="IExactBilevelProblem"/>).</param>
/// <param name="LowerError">‖y − y*(x)‖ where the problem knows y*.</param>
/// <param name="UpperObjective">Φ(x) = f(x, y*(x)) where the problem knows it.</param>
/// <param name="Metrics">Problem-specific metrics (<see cref="SolverTrace.MetricNames"/>).</param>
public sealed record TraceRow(
    long Iteration,
    long UpperSteps,
    double Seconds,
    OracleCounts Counts,
    double UpperLoss,
    double LowerLoss,
    double? HypergradientNorm,
    double? LowerError,
    double? UpperObjective,
    IReadOnlyList<double> Metrics);

/// <summary>The rows of one run of one solver on one problem with one seed.</summary>
public sealed class SolverTrace
{
    public SolverTrace(SolverInfo solver, string options, string problem, int seed, IReadOnlyList<string> metricNames, IReadOnlyList<TraceRow> rows, StopReason stopReason)
    {
        ArgumentNullException.ThrowIfNull(solver);
        ArgumentNullException.ThrowIfNull(metricNames);
        ArgumentNullException.ThrowIfNull(rows);
        Solver = solver;
        Options = options;
        Problem = problem;
        Seed = seed;
        MetricNames = metricNames;
        Rows = rows;
        StopReason = stopReason;
    }

    /// <summary>The solver's own diagnostics at the end of the run (<see cref="Solvers.SolverState.Diagnostics"/>); empty when it keeps none.</summary>
    public IReadOnlyDictionary<string, double> Diagnostics { get; init; } = new Dictionary<string, double>();

    /// <summary>The solver that ran.</summary>
    public SolverInfo Solver { get; }

    /// <summary>Its options, as text.</summary>
    public string Options { get; }

    /// <summary>The problem's name.</summary>
    public string Problem { get; }

    /// <summary>The run's seed.</summary>
    public int Seed { get; }

    /// <summary>Names of <see cref="TraceRow.Metrics"/>.</summary>
    public IReadOnlyList<string> MetricNames { get; }

    /// <summary>Evaluated points, in iteration order; the first is iteration 0 and the last the final iterate.</summary>
    public IReadOnlyList<TraceRow> Rows { get; }

    /// <summary>Why the run ended.</summary>
    public StopReason StopReason { get; }

    /// <summary>x at the end of the run (null for traces built from rows only, e.g. read from CSV).</summary>
    public IReadOnlyList<double>? FinalUpper { get; init; }

    /// <summary>y at the end of the run (null for traces built from rows only).</summary>
    public IReadOnlyList<double>? FinalLower { get; init; }

    /// <summary>The last row.</summary>
    public TraceRow Final => Rows[^1];

    /// <summary>The value of <paramref name="quantity"/> at every row (NaN where it is unknown).</summary>
    public double[] Values(TraceQuantity quantity, string? metric = null)
    {
        var values = new double[Rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Value(Rows[i], quantity, metric);
        }

        return values;
    }

    /// <summary>The position of every row on <paramref name="axis"/>.</summary>
    public double[] Positions(TraceAxis axis)
    {
        var values = new double[Rows.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Position(Rows[i], axis);
        }

        return values;
    }

    /// <summary>The value of a quantity at a row (NaN where unknown).</summary>
    public double Value(TraceRow row, TraceQuantity quantity, string? metric = null)
    {
        ArgumentNullException.ThrowIfNull(row);
        return quantity switch
        {
            TraceQuantity.UpperLoss => row.UpperLoss,
            TraceQuantity.LowerLoss => row.LowerLoss,
            TraceQuantity.HypergradientNorm => row.HypergradientNorm ?? double.NaN,
            TraceQuantity.RelativeHypergradientNorm => row.HypergradientNorm is { } g && Rows[0].HypergradientNorm is { } g0 && g0 > 0 ? g / g0 : double.NaN,
            TraceQuantity.LowerError => row.LowerError ?? double.NaN,
            TraceQuantity.UpperObjective => row.UpperObjective ?? double.NaN,
            TraceQuantity.Metric => row.Metrics[MetricIndex(metric)],
            _ => throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "unknown trace quantity"),
        };
    }

    /// <summary>The position of a row on an axis.</summary>
    public static double Position(TraceRow row, TraceAxis axis)
    {
        ArgumentNullException.ThrowIfNull(row);
        return axis switch
        {
            TraceAxis.Iterations => row.Iteration,
            TraceAxis.UpperSteps => row.UpperSteps,
            TraceAxis.Seconds => row.Seconds,
            TraceAxis.Gradients => row.Counts.Gradients,
            TraceAxis.Hvps => row.Counts.Hvps,
            TraceAxis.CrossProducts => row.Counts.CrossProducts,
            TraceAxis.SecondOrderProducts => row.Counts.SecondOrderProducts,
            TraceAxis.Samples => row.Counts.UpperSamples + row.Counts.LowerSamples,
            _ => throw new ArgumentOutOfRangeException(nameof(axis), axis, "unknown trace axis"),
        };
    }

    private int MetricIndex(string? metric)
    {
        var index = TraceMetrics.IndexOf(MetricNames, metric);
        return index >= 0 ? index : throw new ArgumentException($"metric '{metric}' is not in this trace (it has: {string.Join(", ", MetricNames)})", nameof(metric));
    }

    public override string ToString() => $"{Solver.DisplayName} on {Problem}, seed {Seed}: {Rows.Count} rows, stopped by {StopReason}";
}

/// <summary>What a trace is plotted against.</summary>
public enum TraceAxis
{
    /// <summary>Iterations of the solver.</summary>
    Iterations,

    /// <summary>Updates of x.</summary>
    UpperSteps,

    /// <summary>Solver seconds (evaluation excluded).</summary>
    Seconds,

    /// <summary>First-order gradient evaluations.</summary>
    Gradients,

    /// <summary>Hessian-vector products.</summary>
    Hvps,

    /// <summary>Cross products.</summary>
    CrossProducts,

    /// <summary>HVPs plus cross products.</summary>
    SecondOrderProducts,

    /// <summary>Samples touched by oracles.</summary>
    Samples,
}

/// <summary>What a trace plots.</summary>
public enum TraceQuantity
{
    /// <summary>f(x, y).</summary>
    UpperLoss,

    /// <summary>g(x, y).</summary>
    LowerLoss,

    /// <summary>‖∇Φ(x)‖.</summary>
    HypergradientNorm,

    /// <summary>‖∇Φ(x)‖ / ‖∇Φ(x₀)‖.</summary>
    RelativeHypergradientNorm,

    /// <summary>‖y − y*(x)‖.</summary>
    LowerError,

    /// <summary>Φ(x).</summary>
    UpperObjective,

    /// <summary>A problem-specific metric, named separately.</summary>
    Metric,
}
