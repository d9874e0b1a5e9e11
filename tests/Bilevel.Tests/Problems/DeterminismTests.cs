using Bilevel.Problems;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems;

/// <summary>Same seed, bitwise the same problem data; a different seed, different data.</summary>
public sealed class DeterminismTests
{
    private static double[][] Data(QuadraticBilevelProblem p) =>
    [
        p.Upper.Qxx.ToColumnMajorArray(), p.Upper.Qxy.ToColumnMajorArray(), p.Upper.Qyy.ToColumnMajorArray(),
        p.Upper.Bx.ToArray(), p.Upper.By.ToArray(), [p.Upper.Constant],
        p.Lower.Qxx.ToColumnMajorArray(), p.Lower.Qxy.ToColumnMajorArray(), p.Lower.Qyy.ToColumnMajorArray(),
        p.Lower.Bx.ToArray(), p.Lower.By.ToArray(), [p.Lower.Constant],
    ];

    /// <summary>The data of a least-squares problem is private: fingerprint it by its oracles and exact quantities.</summary>
    private static double[] Fingerprint(LeastSquaresBilevelProblem p, double[] lambda)
    {
        var n = p.LowerDimension;
        var y = TestProblems.RandomVector(n, 77);
        var values = new List<double>(lambda) { p.UpperValue(lambda, y), p.LowerValue(lambda, y) };
        var gx = new double[p.UpperDimension];
        var gy = new double[n];
        p.LowerGradients(lambda, y, gx, gy);
        values.AddRange(gx);
        values.AddRange(gy);
        p.UpperGradientY(lambda, y, gy);
        values.AddRange(gy);
        p.LowerHvpAndCrossProduct(lambda, y, y, gy, gx, Batch.Of([3, 1, 4, 1, 5]));
        values.AddRange(gy);
        values.AddRange(gx);
        p.ExactLowerSolution(lambda, gy);
        values.AddRange(gy);
        p.ExactHypergradient(lambda, gx);
        values.AddRange(gx);
        values.Add(p.ExactUpperObjective(lambda));
        var (mu, smoothness) = p.LowerCurvature(lambda);
        values.Add(mu);
        values.Add(smoothness);
        return [.. values];
    }

    [Theory]
    [InlineData(7, 13, 1)]
    [InlineData(40, 60, 2)]
    public void CreateRandom_SameSeed_BitwiseIdenticalData(int dx, int dy, int seed)
    {
        var a = Data(QuadraticBilevelProblem.CreateRandom(dx, dy, 50, seed));
        var b = Data(QuadraticBilevelProblem.CreateRandom(dx, dy, 50, seed));
        for (var i = 0; i < a.Length; i++)
        {
            Check.BitwiseEqual(a[i], b[i], $"block {i}");
        }

        var other = Data(QuadraticBilevelProblem.CreateRandom(dx, dy, 50, seed + 1));
        Assert.NotEqual(a[7], other[7]);
        Assert.NotEqual(a[3], other[3]);
    }

    [Theory]
    [InlineData(1, 5, 200)]
    [InlineData(2, 5, 2000)]
    public void CreatePaper000_SameSeed_BitwiseIdenticalProblem(int seed, int dimension, int samples)
    {
        var (p1, l1) = LeastSquaresBilevelProblem.CreatePaper000(seed, samples, dimension);
        var (p2, l2) = LeastSquaresBilevelProblem.CreatePaper000(seed, samples, dimension);
        Check.BitwiseEqual(Fingerprint(p1, l1), Fingerprint(p2, l2), "least-squares fingerprint");

        var (p3, l3) = LeastSquaresBilevelProblem.CreatePaper000(seed + 1, samples, dimension);
        Assert.NotEqual(l1, l3);
        Assert.NotEqual(Fingerprint(p1, l1), Fingerprint(p3, l1));
    }
}
