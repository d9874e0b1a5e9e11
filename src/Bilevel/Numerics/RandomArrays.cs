using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace Bilevel.Numerics;

/// <summary>
/// Random matrices and vectors drawn in a fixed sequential order, so a seed always gives the same numbers.
/// (MathNet's <c>Build.Dense(…, init)</c> may call the initializer from several threads, which scrambles the order
/// of the draws; never use it with a random source.)
/// </summary>
public static class RandomArrays
{
    /// <summary>A rows×columns matrix of U[0, 1) entries, drawn column by column.</summary>
    public static Matrix<double> Uniform(Random rng, int rows, int columns) =>
        Matrix<double>.Build.Dense(rows, columns, Uniform(rng, rows * columns));

    /// <summary>A rows×columns matrix of N(0, scale²) entries, drawn column by column.</summary>
    public static Matrix<double> Gaussian(Random rng, int rows, int columns, double scale = 1.0) =>
        Matrix<double>.Build.Dense(rows, columns, Gaussian(rng, rows * columns, scale));

    /// <summary>n draws from U[0, 1).</summary>
    public static double[] Uniform(Random rng, int n)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = rng.NextDouble();
        }

        return values;
    }

    /// <summary>n draws from N(0, scale²).</summary>
    public static double[] Gaussian(Random rng, int n, double scale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = scale * Normal.Sample(rng, 0, 1);
        }

        return values;
    }
}
