using Bilevel.Problems;
using Bilevel.Solvers;
using Bilevel.Traces;

namespace Bilevel.Tests.Traces;

public sealed class TraceBandTests
{
    private static readonly SolverInfo Info = new("test", "Test", "002", "Paper 002, none", LoopStructure.DoubleLoop, false, "none");

    private static SolverTrace Make(int seed, double[] iterations, double[] seconds, double[] losses) => new(
        Info, "", "p", seed, [],
        [.. iterations.Select((it, i) => new TraceRow((long)it, (long)it, seconds[i], default(OracleCounts) with { Hvps = (long)it * 2 }, losses[i], 0, null, null, null, []))],
        StopReason.Iterations);

    [Fact]
    public void Aggregate_SameSchedule_GivesPointwiseMedianAndRange()
    {
        var its = new double[] { 0, 1, 2 };
        var traces = new[]
        {
            Make(0, its, [0, 1, 2], [3, 2, 1]),
            Make(1, its, [0, 1, 2], [5, 4, 0]),
            Make(2, its, [0, 1, 2], [4, 1, 2]),
        };
        var band = TraceBand.Aggregate(traces, TraceAxis.Iterations, TraceQuantity.UpperLoss);
        Assert.Equal(its, band.X);
        Assert.Equal([4, 2, 1], band.Median);
        Assert.Equal([3, 1, 0], band.Min);
        Assert.Equal([5, 4, 2], band.Max);
        Assert.Equal([3.5, 1.5, 0.5], band.LowerQuartile);
        Assert.Equal(3, band.Seeds);
    }

    [Fact]
    public void Aggregate_DifferentTimes_UsesLastValueAtOrBeforeEachGridPoint()
    {
        var a = Make(0, [0, 1, 2], [0, 1.0, 3.0], [10, 5, 1]);
        var b = Make(1, [0, 1, 2], [0, 2.0, 2.5], [20, 6, 2]);
        var band = TraceBand.Aggregate([a, b], TraceAxis.Seconds, TraceQuantity.UpperLoss);
        // Common range [0, 2.5]; grid = union of the positions inside it.
        Assert.Equal([0, 1, 2, 2.5], band.X);
        Assert.Equal([10, 5, 5, 2], band.Min);
        Assert.Equal([20, 20, 6, 5], band.Max);
    }

    [Fact]
    public void Aggregate_OnHvpAxis_ReadsCounts()
    {
        var band = TraceBand.Aggregate([Make(0, [0, 5], [0, 1], [2, 1])], TraceAxis.Hvps, TraceQuantity.UpperLoss);
        Assert.Equal([0, 10], band.X);
    }

    [Fact]
    public void Quantile_MatchesNumpyLinear()
    {
        Assert.Equal(2.5, TraceBand.Quantile([1, 2, 3, 4], 0.5));
        Assert.Equal(1.75, TraceBand.Quantile([1, 2, 3, 4], 0.25));
        Assert.Equal(7, TraceBand.Quantile([7], 0.9));
    }

    [Fact]
    public void Aggregate_NoTraces_Throws() =>
        Assert.Throws<ArgumentException>(() => TraceBand.Aggregate([], TraceAxis.Iterations, TraceQuantity.UpperLoss));

    [Fact]
    public void Value_UnknownMetric_ThrowsListingMetrics()
    {
        var trace = Make(0, [0], [0], [1]);
        var e = Assert.Throws<ArgumentException>(() => trace.Values(TraceQuantity.Metric, "accuracy"));
        Assert.Contains("accuracy", e.Message, StringComparison.Ordinal);
    }
}
