using Bilevel.Problems;

namespace Bilevel.Tests.TestSupport;

/// <summary>
/// Every oracle of a <see cref="BilevelProblem"/> against central finite differences of a lower-order oracle at one
/// point (x, y), direction v and batch. Outputs are pre-filled with NaN so that an entry the oracle forgets to write
/// fails the comparison.
/// </summary>
/// <remarks>
/// Tolerance: both problems are quadratic in (x, y), so the central difference has no truncation error and only
/// rounding ε|φ|/h remains. With h = 1e-5 · max(1, |t|), |φ| ≲ 10³ and derivatives of size ≳ 1 that is ≲ 1e-8
/// relative; <see cref="Tolerance"/> = 1e-6 leaves a 100× margin, yet any wrong factor, sign, transpose or batch
/// scaling is an O(1) error.
/// </remarks>
public static class OracleChecks
{
    /// <summary>Relative tolerance of an oracle against its finite difference.</summary>
    public const double Tolerance = 1e-6;

    public static double[] Filled(int n) => Enumerable.Repeat(double.NaN, n).ToArray();

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>∇x f and ∇y f (joint and single calls) against finite differences of f.</summary>
    public static void UpperGradients(BilevelProblem problem, double[] x, double[] y, Batch batch, bool gradientXIsZero = false)
    {
        var gx = Filled(problem.UpperDimension);
        var gy = Filled(problem.LowerDimension);
        problem.UpperGradients(x, y, gx, gy, batch);
        var fdX = FiniteDifference.Gradient(xx => problem.UpperValue(xx, y, batch), x);
        var fdY = FiniteDifference.Gradient(yy => problem.UpperValue(x, yy, batch), y);
        if (gradientXIsZero)
        {
            Assert.All(gx, value => Assert.Equal(0.0, value));
            Assert.All(fdX, value => Assert.Equal(0.0, value));
        }
        else
        {
            Check.Close(fdX, gx, Tolerance, "∇x f vs central difference of f");
        }

        Check.Close(fdY, gy, Tolerance, "∇y f vs central difference of f");

        var gxAlone = Filled(problem.UpperDimension);
        var gyAlone = Filled(problem.LowerDimension);
        problem.UpperGradientX(x, y, gxAlone, batch);
        problem.UpperGradientY(x, y, gyAlone, batch);
        Check.BitwiseEqual(gx, gxAlone, "UpperGradientX vs UpperGradients");
        Check.BitwiseEqual(gy, gyAlone, "UpperGradientY vs UpperGradients");
    }

    /// <summary>∇x g and ∇y g (joint and single calls) against finite differences of g.</summary>
    public static void LowerGradients(BilevelProblem problem, double[] x, double[] y, Batch batch)
    {
        var gx = Filled(problem.UpperDimension);
        var gy = Filled(problem.LowerDimension);
        problem.LowerGradients(x, y, gx, gy, batch);
        var fdX = FiniteDifference.Gradient(xx => problem.LowerValue(xx, y, batch), x);
        var fdY = FiniteDifference.Gradient(yy => problem.LowerValue(x, yy, batch), y);
        Check.Close(fdX, gx, Tolerance, "∇x g vs central difference of g");
        Check.Close(fdY, gy, Tolerance, "∇y g vs central difference of g");

        var gxAlone = Filled(problem.UpperDimension);
        var gyAlone = Filled(problem.LowerDimension);
        problem.LowerGradientX(x, y, gxAlone, batch);
        problem.LowerGradientY(x, y, gyAlone, batch);
        Check.BitwiseEqual(gx, gxAlone, "LowerGradientX vs LowerGradients");
        Check.BitwiseEqual(gy, gyAlone, "LowerGradientY vs LowerGradients");
    }

    /// <summary>∇²yy g · v against the directional difference of ∇y g along v.</summary>
    public static void LowerHvp(BilevelProblem problem, double[] x, double[] y, double[] v, Batch batch)
    {
        var hvp = Filled(problem.LowerDimension);
        problem.LowerHvp(x, y, v, hvp, batch);
        var fd = FiniteDifference.DirectionalDerivative(yy => TestProblems.LowerGradientY(problem, x, yy, batch), y, v);
        Check.Close(fd, hvp, Tolerance, "∇²yy g · v vs central difference of ∇y g");
    }

    /// <summary>∇²xy g · v against the finite-difference gradient in x of ⟨∇y g(x, y), v⟩.</summary>
    public static void LowerCrossProduct(BilevelProblem problem, double[] x, double[] y, double[] v, Batch batch)
    {
        var cross = Filled(problem.UpperDimension);
        problem.LowerCrossProduct(x, y, v, cross, batch);
        var fd = FiniteDifference.Gradient(xx => Dot(TestProblems.LowerGradientY(problem, xx, y, batch), v), x);
        Check.Close(fd, cross, Tolerance, "∇²xy g · v vs central difference of ⟨∇y g, v⟩ in x");
    }

    /// <summary>The fused call gives exactly what the two separate calls give.</summary>
    public static void FusedSecondOrder(BilevelProblem problem, double[] x, double[] y, double[] v, Batch batch)
    {
        var hvp = Filled(problem.LowerDimension);
        var cross = Filled(problem.UpperDimension);
        problem.LowerHvpAndCrossProduct(x, y, v, hvp, cross, batch);
        var hvpAlone = Filled(problem.LowerDimension);
        var crossAlone = Filled(problem.UpperDimension);
        problem.LowerHvp(x, y, v, hvpAlone, batch);
        problem.LowerCrossProduct(x, y, v, crossAlone, batch);
        Assert.True(Check.Norm(hvpAlone) > 0 && Check.Norm(crossAlone) > 0, "products should be non-zero");
        Check.BitwiseEqual(hvpAlone, hvp, "fused HVP vs LowerHvp");
        Check.BitwiseEqual(crossAlone, cross, "fused cross product vs LowerCrossProduct");
    }
}
