namespace Bilevel.Tests.TestSupport;

/// <summary>
/// Central finite differences in float64, the independent reference every oracle test compares against.
/// </summary>
/// <remarks>
/// The central difference (φ(t + h) − φ(t − h)) / 2h has truncation error h²/6 · |φ'''| and rounding error of about
/// ε |φ| / h (ε ≈ 1.1e-16). The problems under test are quadratic in every argument (φ''' = 0), so only rounding
/// remains: with h = 1e-5 · max(1, |t|) and |φ| ≲ 10⁴ it is ≲ 1e-7 absolute, far below the 1e-6 relative tolerances the
/// tests use on gradients of size ≥ 1. For non-polynomial functions h = 1e-5 balances the two at ≈ 1e-10.
/// </remarks>
public static class FiniteDifference
{
    /// <summary>The default relative step.</summary>
    public const double DefaultStep = 1e-5;

    /// <summary>∇φ(point) by central differences, coordinate by coordinate with step h · max(1, |point_i|).</summary>
    public static double[] Gradient(Func<double[], double> function, ReadOnlySpan<double> point, double step = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(function);
        var work = point.ToArray();
        var gradient = new double[point.Length];
        for (var i = 0; i < point.Length; i++)
        {
            var h = step * Math.Max(1.0, Math.Abs(point[i]));
            work[i] = point[i] + h;
            var plus = function(work);
            work[i] = point[i] - h;
            var minus = function(work);
            work[i] = point[i];
            gradient[i] = (plus - minus) / (2 * h);
        }

        return gradient;
    }

    /// <summary>
    /// The directional derivative d/dt F(point + t · direction) at t = 0 of a vector function, i.e. the Jacobian of F
    /// applied to <paramref name="direction"/>, with step h · max(1, ‖point‖) / ‖direction‖.
    /// </summary>
    public static double[] DirectionalDerivative(Func<double[], double[]> function, ReadOnlySpan<double> point,
        ReadOnlySpan<double> direction, double step = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (direction.Length != point.Length)
        {
            throw new ArgumentException("direction and point must have the same length", nameof(direction));
        }

        var directionNorm = Norm(direction);
        if (directionNorm == 0)
        {
            throw new ArgumentException("the direction must be non-zero", nameof(direction));
        }

        var h = step * Math.Max(1.0, Norm(point)) / directionNorm;
        var plusPoint = new double[point.Length];
        var minusPoint = new double[point.Length];
        for (var i = 0; i < point.Length; i++)
        {
            plusPoint[i] = point[i] + (h * direction[i]);
            minusPoint[i] = point[i] - (h * direction[i]);
        }

        var plus = function(plusPoint);
        var minus = function(minusPoint);
        if (plus.Length != minus.Length)
        {
            throw new InvalidOperationException("the function returned vectors of different lengths");
        }

        var derivative = new double[plus.Length];
        for (var i = 0; i < plus.Length; i++)
        {
            derivative[i] = (plus[i] - minus[i]) / (2 * h);
        }

        return derivative;
    }

    private static double Norm(ReadOnlySpan<double> v)
    {
        var sum = 0.0;
        foreach (var value in v)
        {
            sum += value * value;
        }

        return Math.Sqrt(sum);
    }
}
