using System.Diagnostics;

namespace Bilevel.Problems;

/// <summary>
/// A bilevel problem min_x Φ(x) = f(x, y*(x)) with y*(x) = argmin_y g(x, y), on flat vectors x ∈ R^dx
/// (upper level) and y ∈ R^dy (lower level).
/// </summary>
/// <remarks>
/// <para>
/// The public oracles validate their arguments, count every call in <see cref="Counter"/> (with the samples it
/// touched) and time it; a problem implements the five protected <c>…Core</c> methods only. Second-order
/// oracles are directional: <see cref="LowerHvp"/> returns ∇²yy g · v ∈ R^dy and <see cref="LowerCrossProduct"/>
/// returns ∇²xy g · v = ∇x⟨∇y g, v⟩ ∈ R^dx, never a matrix.
/// </para>
/// <para>
/// Mini-batches: <see cref="Batch.Full"/> evaluates the objectives exactly; a <see cref="Batch"/> of indices
/// evaluates an unbiased estimate over those samples (each problem documents its scaling). The upper level
/// has <see cref="UpperSampleCount"/> samples and the lower level <see cref="LowerSampleCount"/>.
/// </para>
/// </remarks>
public abstract class BilevelProblem
{
    protected BilevelProblem(int upperDimension, int lowerDimension, int upperSampleCount = 1, int lowerSampleCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(upperDimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lowerDimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(upperSampleCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lowerSampleCount);
        UpperDimension = upperDimension;
        LowerDimension = lowerDimension;
        UpperSampleCount = upperSampleCount;
        LowerSampleCount = lowerSampleCount;
    }

    /// <summary>A short name for tables, traces and the CLI.</summary>
    public abstract string Name { get; }

    /// <summary>dx, the length of the upper-level variable x.</summary>
    public int UpperDimension { get; }

    /// <summary>dy, the length of the lower-level variable y.</summary>
    public int LowerDimension { get; }

    /// <summary>Samples behind the upper objective f (1 for problems without data).</summary>
    public int UpperSampleCount { get; }

    /// <summary>Samples behind the lower objective g (1 for problems without data).</summary>
    public int LowerSampleCount { get; }

    /// <summary>Counts and times of every oracle call made on this instance.</summary>
    public OracleCounter Counter { get; } = new();

    /// <summary>f(x, y).</summary>
    public double UpperValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch = default)
    {
        CheckPoint(x, y);
        batch.Validate(UpperSampleCount, "upper-level");
        var start = Stopwatch.GetTimestamp();
        var value = UpperValueCore(x, y, batch);
        Counter.UpperValues++;
        Counter.UpperSamples += batch.Count(UpperSampleCount);
        Counter.OracleTicks += Stopwatch.GetTimestamp() - start;
        return value;
    }

    /// <summary>g(x, y).</summary>
    public double LowerValue(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch = default)
    {
        CheckPoint(x, y);
        batch.Validate(LowerSampleCount, "lower-level");
        var start = Stopwatch.GetTimestamp();
        var value = LowerValueCore(x, y, batch);
        Counter.LowerValues++;
        Counter.LowerSamples += batch.Count(LowerSampleCount);
        Counter.OracleTicks += Stopwatch.GetTimestamp() - start;
        return value;
    }

    /// <summary>∇x f and ∇y f from one evaluation; counts one of each.</summary>
    public void UpperGradients(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch = default)
    {
        CheckLength(gradientX, UpperDimension, nameof(gradientX));
        CheckLength(gradientY, LowerDimension, nameof(gradientY));
        UpperGradientsCounted(x, y, gradientX, gradientY, batch);
    }

    /// <summary>∇x f(x, y).</summary>
    public void UpperGradientX(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Batch batch = default)
    {
        CheckLength(gradientX, UpperDimension, nameof(gradientX));
        UpperGradientsCounted(x, y, gradientX, [], batch);
    }

    /// <summary>∇y f(x, y).</summary>
    public void UpperGradientY(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientY, Batch batch = default)
    {
        CheckLength(gradientY, LowerDimension, nameof(gradientY));
        UpperGradientsCounted(x, y, [], gradientY, batch);
    }

    /// <summary>∇x g and ∇y g from one evaluation; counts one of each.</summary>
    public void LowerGradients(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch = default)
    {
        CheckLength(gradientX, UpperDimension, nameof(gradientX));
        CheckLength(gradientY, LowerDimension, nameof(gradientY));
        LowerGradientsCounted(x, y, gradientX, gradientY, batch);
    }

    /// <summary>∇x g(x, y).</summary>
    public void LowerGradientX(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Batch batch = default)
    {
        CheckLength(gradientX, UpperDimension, nameof(gradientX));
        LowerGradientsCounted(x, y, gradientX, [], batch);
    }

    /// <summary>∇y g(x, y).</summary>
    public void LowerGradientY(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientY, Batch batch = default)
    {
        CheckLength(gradientY, LowerDimension, nameof(gradientY));
        LowerGradientsCounted(x, y, [], gradientY, batch);
    }

    /// <summary>The Hessian-vector product ∇²yy g(x, y) · v ∈ R^dy.</summary>
    public void LowerHvp(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v, Span<double> hvp, Batch batch = default)
    {
        CheckLength(hvp, LowerDimension, nameof(hvp));
        LowerSecondOrderCounted(x, y, v, hvp, [], batch);
    }

    /// <summary>The cross product ∇²xy g(x, y) · v = ∇x⟨∇y g(x, y), v⟩ ∈ R^dx.</summary>
    public void LowerCrossProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v, Span<double> crossProduct, Batch batch = default)
    {
        CheckLength(crossProduct, UpperDimension, nameof(crossProduct));
        LowerSecondOrderCounted(x, y, v, [], crossProduct, batch);
    }

    /// <summary>
    /// ∇²yy g · v and ∇²xy g · v at the same point from one pass (counts one HVP and one cross product).
    /// </summary>
    public void LowerHvpAndCrossProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch = default)
    {
        CheckLength(hvp, LowerDimension, nameof(hvp));
        CheckLength(crossProduct, UpperDimension, nameof(crossProduct));
        LowerSecondOrderCounted(x, y, v, hvp, crossProduct, batch);
    }

    /// <summary>f on <paramref name="batch"/>.</summary>
    protected abstract double UpperValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch);

    /// <summary>g on <paramref name="batch"/>.</summary>
    protected abstract double LowerValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch);

    /// <summary>
    /// Writes ∇x f into <paramref name="gradientX"/> and ∇y f into <paramref name="gradientY"/>; an empty span
    /// means that part is not wanted. Spans have the right length when not empty.
    /// </summary>
    protected abstract void UpperGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch);

    /// <summary>Writes ∇x g and ∇y g; an empty span means that part is not wanted.</summary>
    protected abstract void LowerGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch);

    /// <summary>
    /// Writes ∇²yy g · v into <paramref name="hvp"/> and ∇²xy g · v into <paramref name="crossProduct"/>;
    /// an empty span means that product is not wanted.
    /// </summary>
    protected abstract void LowerSecondOrderCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch);

    private void UpperGradientsCounted(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
    {
        CheckPoint(x, y);
        batch.Validate(UpperSampleCount, "upper-level");
        var start = Stopwatch.GetTimestamp();
        UpperGradientsCore(x, y, gradientX, gradientY, batch);
        var parts = 0;
        if (!gradientX.IsEmpty)
        {
            Counter.UpperGradientsX++;
            parts++;
        }

        if (!gradientY.IsEmpty)
        {
            Counter.UpperGradientsY++;
            parts++;
        }

        Counter.UpperSamples += parts == 0 ? 0 : batch.Count(UpperSampleCount);
        Counter.OracleTicks += Stopwatch.GetTimestamp() - start;
    }

    private void LowerGradientsCounted(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
    {
        CheckPoint(x, y);
        batch.Validate(LowerSampleCount, "lower-level");
        var start = Stopwatch.GetTimestamp();
        LowerGradientsCore(x, y, gradientX, gradientY, batch);
        var parts = 0;
        if (!gradientX.IsEmpty)
        {
            Counter.LowerGradientsX++;
            parts++;
        }

        if (!gradientY.IsEmpty)
        {
            Counter.LowerGradientsY++;
            parts++;
        }

        Counter.LowerSamples += parts == 0 ? 0 : batch.Count(LowerSampleCount);
        Counter.OracleTicks += Stopwatch.GetTimestamp() - start;
    }

    private void LowerSecondOrderCounted(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hvp, Span<double> crossProduct, Batch batch)
    {
        CheckPoint(x, y);
        CheckLength(v, LowerDimension, nameof(v));
        batch.Validate(LowerSampleCount, "lower-level");
        var start = Stopwatch.GetTimestamp();
        LowerSecondOrderCore(x, y, v, hvp, crossProduct, batch);
        if (!hvp.IsEmpty)
        {
            Counter.Hvps++;
        }

        if (!crossProduct.IsEmpty)
        {
            Counter.CrossProducts++;
        }

        Counter.LowerSamples += batch.Count(LowerSampleCount);
        Counter.OracleTicks += Stopwatch.GetTimestamp() - start;
    }

    private void CheckPoint(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        CheckLength(x, UpperDimension, nameof(x));
        CheckLength(y, LowerDimension, nameof(y));
    }

    /// <summary>Throws a one-line <see cref="ArgumentException"/> naming <paramref name="name"/> when the length is wrong.</summary>
    protected static void CheckLength(ReadOnlySpan<double> span, int expected, string name)
    {
        if (span.Length != expected)
        {
            throw new ArgumentException($"{name} has length {span.Length}, expected {expected}", name);
        }
    }

    public override string ToString() => $"{Name} (dx = {UpperDimension}, dy = {LowerDimension})";
}
