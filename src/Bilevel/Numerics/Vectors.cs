using System.Numerics.Tensors;

namespace Bilevel.Numerics;

/// <summary>Small vector helpers on SIMD kernels, used by solvers and tests.</summary>
public static class Vectors
{
    /// <summary>y += a x.</summary>
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y) => TensorPrimitives.MultiplyAdd(x, a, y, y);

    /// <summary>Euclidean norm.</summary>
    public static double Norm(ReadOnlySpan<double> x) => TensorPrimitives.Norm(x);

    /// <summary>True when every entry is finite (no NaN, no ±∞).</summary>
    public static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (var v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>‖a − b‖.</summary>
    public static double Distance(ReadOnlySpan<double> a, ReadOnlySpan<double> b) => TensorPrimitives.Distance(a, b);

    /// <summary>‖a − b‖².</summary>
    public static double SquaredDistance(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var d = TensorPrimitives.Distance(a, b);
        return d * d;
    }

    /// <summary>‖a − b‖ / ‖b‖ (‖a − b‖ when b = 0).</summary>
    public static double RelativeError(ReadOnlySpan<double> estimate, ReadOnlySpan<double> truth)
    {
        var scale = TensorPrimitives.Norm(truth);
        var distance = TensorPrimitives.Distance(estimate, truth);
        return scale > 0 ? distance / scale : distance;
    }
}
