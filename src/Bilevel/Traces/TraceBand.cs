namespace Bilevel.Traces;

/// <summary>
/// Several seeds' traces of one quantity on one axis, aggregated point-wise as benchopt does: the median and the
/// min–max band (plus the 25–75 % quantile band).
/// </summary>
/// <param name="X">Grid on the axis.</param>
/// <param name="Median">Median over seeds at each grid point.</param>
/// <param name="Min">Smallest value over seeds.</param>
/// <param name="Max">Largest value over seeds.</param>
/// <param name="LowerQuartile">25 % quantile (linear interpolation between order statistics).</param>
/// <param name="UpperQuartile">75 % quantile.</param>
/// <param name="Seeds">How many traces were aggregated.</param>
public sealed record TraceBand(double[] X, double[] Median, double[] Min, double[] Max, double[] LowerQuartile, double[] UpperQuartile, int Seeds)
{
    /// <summary>
    /// Aggregates <paramref name="traces"/>. When every trace has the same positions on the axis (same iteration
    /// schedule) those are the grid; otherwise the grid is the union of positions inside the range every trace
    /// covers, thinned to at most <paramref name="maxPoints"/>, and each trace contributes its last evaluated value
    /// at or before the grid point (a step function, so no value is invented between evaluations).
    /// </summary>
    public static TraceBand Aggregate(IReadOnlyList<SolverTrace> traces, TraceAxis axis, TraceQuantity quantity, string? metric = null, int maxPoints = 200)
    {
        ArgumentNullException.ThrowIfNull(traces);
        if (traces.Count == 0)
        {
            throw new ArgumentException("aggregating needs at least one trace", nameof(traces));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        var positions = new double[traces.Count][];
        var values = new double[traces.Count][];
        for (var s = 0; s < traces.Count; s++)
        {
            positions[s] = traces[s].Positions(axis);
            values[s] = traces[s].Values(quantity, metric);
        }

        var grid = SamePositions(positions) ? positions[0] : CommonGrid(positions, maxPoints);
        int n = grid.Length, m = traces.Count;
        double[] median = new double[n], min = new double[n], max = new double[n], q25 = new double[n], q75 = new double[n];
        var column = new double[m];
        var cursor = new int[m];
        for (var i = 0; i < n; i++)
        {
            for (var s = 0; s < m; s++)
            {
                var p = positions[s];
                while (cursor[s] + 1 < p.Length && p[cursor[s] + 1] <= grid[i])
                {
                    cursor[s]++;
                }

                column[s] = values[s][cursor[s]];
            }

            Array.Sort(column);
            min[i] = column[0];
            max[i] = column[^1];
            median[i] = Quantile(column, 0.5);
            q25[i] = Quantile(column, 0.25);
            q75[i] = Quantile(column, 0.75);
        }

        return new TraceBand(grid, median, min, max, q25, q75, m);
    }

    /// <summary>The q-quantile of sorted values (linear interpolation, as numpy's default).</summary>
    public static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("a quantile needs at least one value", nameof(sorted));
        }

        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }

    private static bool SamePositions(double[][] positions)
    {
        for (var s = 1; s < positions.Length; s++)
        {
            if (!positions[s].AsSpan().SequenceEqual(positions[0]))
            {
                return false;
            }
        }

        return true;
    }

    private static double[] CommonGrid(double[][] positions, int maxPoints)
    {
        double start = double.NegativeInfinity, end = double.PositiveInfinity;
        var all = new List<double>();
        foreach (var p in positions)
        {
            start = Math.Max(start, p[0]);
            end = Math.Min(end, p[^1]);
            all.AddRange(p);
        }

        all.Sort();
        var inside = new List<double>();
        foreach (var v in all)
        {
            if (v >= start && v <= end && (inside.Count == 0 || v > inside[^1]))
            {
                inside.Add(v);
            }
        }

        if (inside.Count == 0)
        {
            inside.Add(start);
        }

        if (inside.Count <= maxPoints)
        {
            return [.. inside];
        }

        var thinned = new double[maxPoints];
        for (var i = 0; i < maxPoints; i++)
        {
            thinned[i] = inside[(int)Math.Round(i * (inside.Count - 1) / (double)(maxPoints - 1))];
        }

        return thinned;
    }
}
