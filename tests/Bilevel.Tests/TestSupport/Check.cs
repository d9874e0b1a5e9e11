namespace Bilevel.Tests.TestSupport;

/// <summary>Numeric assertions with messages that show the numbers.</summary>
public static class Check
{
    /// <summary>Euclidean norm.</summary>
    public static double Norm(ReadOnlySpan<double> v)
    {
        var sum = 0.0;
        foreach (var value in v)
        {
            sum += value * value;
        }

        return Math.Sqrt(sum);
    }

    /// <summary>‖actual − expected‖ / ‖expected‖; throws when the lengths differ or expected is zero.</summary>
    public static double RelativeError(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Norm(expected);
        Assert.True(scale > 0, "the reference vector is zero: a relative error would be meaningless");
        var sum = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var d = actual[i] - expected[i];
            sum += d * d;
        }

        return Math.Sqrt(sum) / scale;
    }

    /// <summary>Asserts ‖actual − expected‖ ≤ tolerance · ‖expected‖ (expected non-zero).</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double relativeTolerance, string what)
    {
        var error = RelativeError(actual, expected);
        Assert.True(error <= relativeTolerance,
            $"{what}: relative error {error:E3} > {relativeTolerance:E1} (‖expected‖ = {Norm(expected):E3})");
    }

    /// <summary>Asserts |actual − expected| ≤ tolerance · max(|expected|, floor).</summary>
    public static void Close(double expected, double actual, double relativeTolerance, string what, double floor = 0)
    {
        var scale = Math.Max(Math.Abs(expected), floor);
        Assert.True(Math.Abs(actual - expected) <= relativeTolerance * scale,
            $"{what}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(actual - expected) / scale:E3} > {relativeTolerance:E1})");
    }

    /// <summary>Asserts two arrays are bitwise identical (NaN payloads and signed zeros included).</summary>
    public static void BitwiseEqual(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]),
                $"{what}: entry {i} differs: {expected[i]:R} vs {actual[i]:R}");
        }
    }
}
