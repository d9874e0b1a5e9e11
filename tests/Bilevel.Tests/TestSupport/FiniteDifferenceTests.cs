namespace Bilevel.Tests.TestSupport;

/// <summary>The finite-difference helper against functions with known derivatives.</summary>
public sealed class FiniteDifferenceTests
{
    // φ(x) = sin(x0) e^{x1} + x2³ − 3 x0 x2.
    private static double Phi(double[] x) => (Math.Sin(x[0]) * Math.Exp(x[1])) + (x[2] * x[2] * x[2]) - (3 * x[0] * x[2]);

    private static double[] PhiGradient(double[] x) =>
    [
        (Math.Cos(x[0]) * Math.Exp(x[1])) - (3 * x[2]),
        Math.Sin(x[0]) * Math.Exp(x[1]),
        (3 * x[2] * x[2]) - (3 * x[0]),
    ];

    // F(x) = (x0 x1, sin x2, e^{x0} + x1²), with Jacobian J.
    private static double[] F(double[] x) => [x[0] * x[1], Math.Sin(x[2]), Math.Exp(x[0]) + (x[1] * x[1])];

    private static double[] JacobianTimes(double[] x, double[] v) =>
    [
        (x[1] * v[0]) + (x[0] * v[1]),
        Math.Cos(x[2]) * v[2],
        (Math.Exp(x[0]) * v[0]) + (2 * x[1] * v[1]),
    ];

    [Theory]
    [InlineData(0.3, -0.7, 1.1)]
    [InlineData(-2.0, 0.5, 0.0)]
    [InlineData(12.0, 1.5, -4.0)]
    public void Gradient_SmoothFunction_MatchesAnalyticGradient(double a, double b, double c)
    {
        double[] x = [a, b, c];
        var fd = FiniteDifference.Gradient(Phi, x);
        // Truncation h²|φ'''|/6 with h = 1e-5·max(1, |x_i|) is ≲ 1e-8 relative here; rounding ≈ 1e-11.
        Check.Close(PhiGradient(x), fd, 1e-8, "∇φ");
    }

    [Fact]
    public void Gradient_Quadratic_ExactToRounding()
    {
        // φ(x) = ½ xᵀ A x + bᵀ x has φ''' = 0: the central difference is exact up to rounding.
        double[,] a = { { 4, 1, 0 }, { 1, 3, -1 }, { 0, -1, 2 } };
        double[] b = [1, -2, 0.5];
        double Quadratic(double[] x)
        {
            var sum = 0.0;
            for (var i = 0; i < 3; i++)
            {
                sum += b[i] * x[i];
                for (var j = 0; j < 3; j++)
                {
                    sum += 0.5 * x[i] * a[i, j] * x[j];
                }
            }

            return sum;
        }

        double[] x = [1.5, -0.25, 3];
        double[] exact = [(4 * 1.5) - 0.25 + 1, 1.5 - 0.75 - 3 - 2, 0.25 + 6 + 0.5];
        Check.Close(exact, FiniteDifference.Gradient(Quadratic, x), 1e-9, "∇(quadratic)");
    }

    [Theory]
    [InlineData(0.3, -0.7, 1.1, 1.0, 0.0, 0.0)]
    [InlineData(0.3, -0.7, 1.1, 0.2, -1.5, 3.0)]
    [InlineData(-1.0, 2.0, 0.5, 1e-3, 2e-3, -1e-3)]
    public void DirectionalDerivative_VectorFunction_MatchesJacobianTimesDirection(double a, double b, double c, double v0, double v1, double v2)
    {
        double[] x = [a, b, c];
        double[] v = [v0, v1, v2];
        var fd = FiniteDifference.DirectionalDerivative(F, x, v);
        Check.Close(JacobianTimes(x, v), fd, 1e-8, "J v");
    }

    [Fact]
    public void DirectionalDerivative_ZeroDirection_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => FiniteDifference.DirectionalDerivative(F, [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]));
        Assert.Equal("direction", error.ParamName);
    }

    [Fact]
    public void Gradient_WrongAnalyticGradient_IsDetected()
    {
        // The comparison the oracle tests rely on must be able to fail: a gradient off by 1e-4 relative is caught.
        double[] x = [0.3, -0.7, 1.1];
        var wrong = PhiGradient(x);
        wrong[1] *= 1 + 1e-4;
        Assert.True(Check.RelativeError(FiniteDifference.Gradient(Phi, x), wrong) > 1e-6);
    }
}
