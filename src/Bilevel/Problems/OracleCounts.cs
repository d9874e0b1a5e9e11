using System.Diagnostics;

namespace Bilevel.Problems;

/// <summary>
/// How many times each oracle of a <see cref="BilevelProblem"/> was called, how many samples those calls
/// touched, and how long they took. Counts subtract, so the cost of one piece of work is
/// <c>after - before</c>.
/// </summary>
/// <param name="UpperValues">Evaluations of the upper objective f.</param>
/// <param name="LowerValues">Evaluations of the lower objective g.</param>
/// <param name="UpperGradientsX">Evaluations of ∇x f.</param>
/// <param name="UpperGradientsY">Evaluations of ∇y f.</param>
/// <param name="LowerGradientsX">Evaluations of ∇x g.</param>
/// <param name="LowerGradientsY">Evaluations of ∇y g.</param>
/// <param name="Hvps">Hessian-vector products ∇²yy g · v.</param>
/// <param name="CrossProducts">Cross products ∇²xy g · v (the papers' "Jacobian-vector products").</param>
/// <param name="UpperSamples">Samples touched by upper-level oracles.</param>
/// <param name="LowerSamples">Samples touched by lower-level oracles.</param>
/// <param name="OracleTicks">Time spent inside oracles, in <see cref="Stopwatch"/> ticks.</param>
public readonly record struct OracleCounts(
    long UpperValues,
    long LowerValues,
    long UpperGradientsX,
    long UpperGradientsY,
    long LowerGradientsX,
    long LowerGradientsY,
    long Hvps,
    long CrossProducts,
    long UpperSamples,
    long LowerSamples,
    long OracleTicks)
{
    /// <summary>All first-order gradient evaluations: ∇x f, ∇y f, ∇x g and ∇y g together.</summary>
    public long Gradients => UpperGradientsX + UpperGradientsY + LowerGradientsX + LowerGradientsY;

    /// <summary>All second-order products: HVPs plus cross products (the papers' "matrix-vector products").</summary>
    public long SecondOrderProducts => Hvps + CrossProducts;

    /// <summary>Time spent inside oracles, in seconds.</summary>
    public double OracleSeconds => OracleTicks / (double)Stopwatch.Frequency;

    public static OracleCounts operator -(OracleCounts a, OracleCounts b) => new(
        a.UpperValues - b.UpperValues,
        a.LowerValues - b.LowerValues,
        a.UpperGradientsX - b.UpperGradientsX,
        a.UpperGradientsY - b.UpperGradientsY,
        a.LowerGradientsX - b.LowerGradientsX,
        a.LowerGradientsY - b.LowerGradientsY,
        a.Hvps - b.Hvps,
        a.CrossProducts - b.CrossProducts,
        a.UpperSamples - b.UpperSamples,
        a.LowerSamples - b.LowerSamples,
        a.OracleTicks - b.OracleTicks);

    public static OracleCounts operator +(OracleCounts a, OracleCounts b) => new(
        a.UpperValues + b.UpperValues,
        a.LowerValues + b.LowerValues,
        a.UpperGradientsX + b.UpperGradientsX,
        a.UpperGradientsY + b.UpperGradientsY,
        a.LowerGradientsX + b.LowerGradientsX,
        a.LowerGradientsY + b.LowerGradientsY,
        a.Hvps + b.Hvps,
        a.CrossProducts + b.CrossProducts,
        a.UpperSamples + b.UpperSamples,
        a.LowerSamples + b.LowerSamples,
        a.OracleTicks + b.OracleTicks);

    public static OracleCounts Subtract(OracleCounts a, OracleCounts b) => a - b;

    public static OracleCounts Add(OracleCounts a, OracleCounts b) => a + b;

    public override string ToString() =>
        $"∇f {UpperGradientsX + UpperGradientsY}, ∇g {LowerGradientsX + LowerGradientsY}, HVP {Hvps}, cross {CrossProducts}, " +
        $"f {UpperValues}, g {LowerValues}, samples {UpperSamples + LowerSamples}, {OracleSeconds * 1e3:F3} ms";
}

/// <summary>
/// The running oracle counters of one problem instance. Not thread-safe: one solver drives a problem at a time.
/// </summary>
public sealed class OracleCounter
{
    internal long UpperValues;
    internal long LowerValues;
    internal long UpperGradientsX;
    internal long UpperGradientsY;
    internal long LowerGradientsX;
    internal long LowerGradientsY;
    internal long Hvps;
    internal long CrossProducts;
    internal long UpperSamples;
    internal long LowerSamples;
    internal long OracleTicks;

    /// <summary>The counts so far.</summary>
    public OracleCounts Snapshot() => new(
        UpperValues, LowerValues, UpperGradientsX, UpperGradientsY, LowerGradientsX, LowerGradientsY,
        Hvps, CrossProducts, UpperSamples, LowerSamples, OracleTicks);

    /// <summary>Sets the counts back to an earlier snapshot (the solver runner uses this to exclude evaluation calls).</summary>
    internal void Restore(OracleCounts counts)
    {
        UpperValues = counts.UpperValues;
        LowerValues = counts.LowerValues;
        UpperGradientsX = counts.UpperGradientsX;
        UpperGradientsY = counts.UpperGradientsY;
        LowerGradientsX = counts.LowerGradientsX;
        LowerGradientsY = counts.LowerGradientsY;
        Hvps = counts.Hvps;
        CrossProducts = counts.CrossProducts;
        UpperSamples = counts.UpperSamples;
        LowerSamples = counts.LowerSamples;
        OracleTicks = counts.OracleTicks;
    }

    /// <summary>Sets every count back to zero.</summary>
    public void Reset()
    {
        UpperValues = LowerValues = UpperGradientsX = UpperGradientsY = LowerGradientsX = LowerGradientsY = 0;
        Hvps = CrossProducts = UpperSamples = LowerSamples = OracleTicks = 0;
    }
}
