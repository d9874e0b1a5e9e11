using System.Numerics;
using Bilevel.Numerics;

namespace Bilevel.Autodiff;

/// <summary>
/// A function checked by <see cref="GradientCheck"/>: a scalar L(x, y) of two parameter groups built on a graph,
/// for any float type (float64 for the finite-difference checks, float32 against float64).
/// </summary>
public interface IGradientCheckCase
{
    string Name { get; }

    /// <summary>The upper-level group x.</summary>
    ParameterLayout Upper { get; }

    /// <summary>The lower-level group y.</summary>
    ParameterLayout Lower { get; }

    /// <summary>Records L(x, y) on the graph; <paramref name="x"/> and <paramref name="y"/> are bound in layout order.</summary>
    Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
        where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>A case that chooses its own point (e.g. a network at its initialization) instead of U(−1, 1) draws.</summary>
public interface IGradientCheckStartingPoint
{
    /// <summary>Writes the point (x, y) at which the case is checked.</summary>
    void Initialize(double[] upper, double[] lower, Random random);
}

/// <summary>One measured comparison.</summary>
/// <param name="Case">What was checked.</param>
/// <param name="Quantity">gradient, hvp (∇²yy L·v), cross (∇²xy L·v), tangent (L̇ = ∇y L·v) or float32.</param>
/// <param name="RelativeError">‖engine − reference‖ / max(‖reference‖, 1e-12).</param>
/// <param name="Tolerance">The bound it must meet.</param>
/// <param name="Reference">What it was compared with.</param>
public sealed record GradientCheckResult(string Case, string Quantity, double RelativeError, double Tolerance, string Reference)
{
    public bool Passed => RelativeError <= Tolerance;
}

/// <summary>
/// Checks the engine's gradient, Hessian-vector product and cross product against central finite differences in
/// float64, and float32 against float64. With direction (0, v): the pass's gradient tangent on y is ∇²yy L·v and on x
/// is ∇²xy L·v; the references are central differences of L (gradient, step h = 1e-5 per coordinate) and of the
/// engine's own gradient along v (second order, step 1e-5), whose truncation error is O(h²) ≈ 1e-10.
/// </summary>
public static class GradientCheck
{
    public const double Float64Tolerance = 1e-6;
    public const double Float32Tolerance = 1e-3;
    private const double Step = 1e-5;

    public static IReadOnlyList<GradientCheckResult> Run(IGradientCheckCase check, int seed)
    {
        ArgumentNullException.ThrowIfNull(check);
        var random = new Random(seed);
        var nx = check.Upper.Size;
        var ny = check.Lower.Size;
        var x = Draw(random, nx);
        var y = Draw(random, ny);
        var v = Draw(random, ny);
        if (check is IGradientCheckStartingPoint start)
        {
            start.Initialize(x, y, random);
        }
        var results = new List<GradientCheckResult>();

        // One pass with direction (0, v).
        var (_, gx, gy, hx, hy, tangent) = Pass(check, x, y, v);

        // Gradient against central differences of L.
        var fdx = new double[nx];
        var fdy = new double[ny];
        for (var i = 0; i < nx; i++)
        {
            fdx[i] = Difference(check, x, y, i, upper: true);
        }

        for (var i = 0; i < ny; i++)
        {
            fdy[i] = Difference(check, x, y, i, upper: false);
        }

        var fdGradient = Concat(fdx, fdy);
        results.Add(new(check.Name, "gradient", Relative(Concat(gx, gy), fdGradient, requireSignal: true), Float64Tolerance, "central differences of L, h = 1e-5"));

        // HVP and cross product against central differences of the gradient along (0, v).
        var yPlus = (double[])y.Clone();
        var yMinus = (double[])y.Clone();
        Vectors.Axpy(Step, v, yPlus);
        Vectors.Axpy(-Step, v, yMinus);
        var (_, gxPlus, gyPlus, _, _, _) = Pass(check, x, yPlus, null);
        var (_, gxMinus, gyMinus, _, _, _) = Pass(check, x, yMinus, null);
        var fdHy = new double[ny];
        var fdHx = new double[nx];
        for (var i = 0; i < ny; i++)
        {
            fdHy[i] = (gyPlus[i] - gyMinus[i]) / (2 * Step);
        }

        for (var i = 0; i < nx; i++)
        {
            fdHx[i] = (gxPlus[i] - gxMinus[i]) / (2 * Step);
        }

        results.Add(new(check.Name, "hvp", Relative(hy, fdHy, requireSignal: true), Float64Tolerance, "central differences of ∇y L along v, h = 1e-5"));
        if (nx > 0)
        {
            results.Add(new(check.Name, "cross", Relative(hx, fdHx, requireSignal: true), Float64Tolerance, "central differences of ∇x L along v, h = 1e-5"));
        }

        var directional = 0.0;
        for (var i = 0; i < ny; i++)
        {
            directional += gy[i] * v[i];
        }

        results.Add(new(check.Name, "tangent", Math.Abs(tangent - directional) / Math.Max(Math.Abs(directional), 1e-12), Float64Tolerance, "∇y L · v from the same pass"));

        // float32 against float64.
        var (_, gx32, gy32, hx32, hy32, _) = Pass32(check, x, y, v);
        var error32 = Math.Max(Relative(Concat(gx32, gy32), Concat(gx, gy)), Math.Max(Relative(hy32, hy), nx > 0 ? Relative(hx32, hx) : 0));
        results.Add(new(check.Name, "float32", error32, Float32Tolerance, "the float64 gradient, HVP and cross product"));
        return results;
    }

    private static (double Loss, double[] Gx, double[] Gy, double[] Hx, double[] Hy, double Tangent) Pass(IGradientCheckCase check, double[] x, double[] y, double[]? v)
    {
        var graph = new Graph<double>(tangents: v is not null);
        var gx = new double[x.Length];
        var gy = new double[y.Length];
        var hx = new double[x.Length];
        var hy = new double[y.Length];
        var xs = check.Upper.Bind(graph, x, null, gx, hx);
        var ys = check.Lower.Bind(graph, y, v, gy, hy);
        var loss = check.Build(graph, xs, ys);
        graph.Backward(loss);
        return (loss.Value[0], gx, gy, hx, hy, loss.Tangent?[0] ?? 0);
    }

    private static (double Loss, double[] Gx, double[] Gy, double[] Hx, double[] Hy, double Tangent) Pass32(IGradientCheckCase check, double[] x, double[] y, double[] v)
    {
        var graph = new Graph<float>(tangents: true);
        var gx = new float[x.Length];
        var gy = new float[y.Length];
        var hx = new float[x.Length];
        var hy = new float[y.Length];
        var xs = check.Upper.Bind(graph, ToFloat(x), null, gx, hx);
        var ys = check.Lower.Bind(graph, ToFloat(y), ToFloat(v), gy, hy);
        var loss = check.Build(graph, xs, ys);
        graph.Backward(loss);
        return (loss.Value[0], ToDouble(gx), ToDouble(gy), ToDouble(hx), ToDouble(hy), loss.Tangent?[0] ?? 0);
    }

    private static double Difference(IGradientCheckCase check, double[] x, double[] y, int index, bool upper)
    {
        var target = upper ? x : y;
        var saved = target[index];
        target[index] = saved + Step;
        var plus = Pass(check, x, y, null).Loss;
        target[index] = saved - Step;
        var minus = Pass(check, x, y, null).Loss;
        target[index] = saved;
        return (plus - minus) / (2 * Step);
    }

    private static double[] Draw(Random random, int n)
    {
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = (random.NextDouble() * 2) - 1;
        }

        return values;
    }

    /// <summary>
    /// ‖actual − expected‖ / ‖expected‖; with <paramref name="requireSignal"/>, a reference that is (numerically) zero
    /// makes the check fail (+∞) instead of passing trivially: such a point checks nothing.
    /// </summary>
    private static double Relative(double[] actual, double[] expected, bool requireSignal = false)
    {
        var difference = 0.0;
        var norm = 0.0;
        for (var i = 0; i < actual.Length; i++)
        {
            difference += (actual[i] - expected[i]) * (actual[i] - expected[i]);
            norm += expected[i] * expected[i];
        }

        if (requireSignal && Math.Sqrt(norm) < 1e-8)
        {
            return double.PositiveInfinity;
        }

        return Math.Sqrt(difference) / Math.Max(Math.Sqrt(norm), 1e-12);
    }

    private static double[] Concat(double[] a, double[] b) => [.. a, .. b];

    private static float[] ToFloat(double[] values)
    {
        var result = new float[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = (float)values[i];
        }

        return result;
    }

    private static double[] ToDouble(float[] values)
    {
        var result = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = values[i];
        }

        return result;
    }
}
