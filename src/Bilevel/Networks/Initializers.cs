using System.Numerics;

namespace Bilevel.Networks;

/// <summary>
/// Seeded parameter initializations used by the papers' networks. Draws are sequential from one
/// <see cref="Random"/>, so the same seed gives the same bits on every machine and thread count.
/// </summary>
public static class Initializers
{
    /// <summary>Kaiming (He) normal, fan-in mode for ReLU: N(0, 2/fanIn) (PyTorch <c>kaiming_normal_</c>).</summary>
    public static void KaimingNormal<T>(Span<T> values, int fanIn, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        var std = Math.Sqrt(2.0 / fanIn);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateChecked(std * StandardNormal(random));
        }
    }

    /// <summary>Xavier (Glorot) uniform: U(−a, a) with a = √(6/(fanIn + fanOut)) (PyTorch <c>xavier_uniform_</c>).</summary>
    public static void XavierUniform<T>(Span<T> values, int fanIn, int fanOut, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Uniform(values, Math.Sqrt(6.0 / (fanIn + fanOut)), random);
    }

    /// <summary>U(−a, a) (PyTorch's default for linear and recurrent layers uses a = 1/√fanIn).</summary>
    public static void Uniform<T>(Span<T> values, double bound, Random random)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(random);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = T.CreateChecked(((random.NextDouble() * 2) - 1) * bound);
        }
    }

    /// <summary>Fills with a constant.</summary>
    public static void Constant<T>(Span<T> values, double value)
        where T : unmanaged, IFloatingPointIeee754<T> => values.Fill(T.CreateChecked(value));

    /// <summary>A standard normal draw (Box–Muller, one value per call; deterministic for a seeded generator).</summary>
    public static double StandardNormal(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
