using Bilevel.Problems;

namespace Bilevel.Tests.TestSupport;

/// <summary>Small, fast instances of the library's problems and seeded random points for tests.</summary>
public static class TestProblems
{
    /// <summary>Samples of the small least-squares instances (the paper uses 10⁴; 200 keeps every test fast).</summary>
    public const int LeastSquaresSamples = 200;

    /// <summary>A random quadratic problem (κ = 10 unless given).</summary>
    public static QuadraticBilevelProblem Quadratic(int dx, int dy, int seed, double conditionNumber = 10) =>
        QuadraticBilevelProblem.CreateRandom(dx, dy, conditionNumber, seed);

    /// <summary>A small paper-000 least-squares instance and its λ.</summary>
    public static (LeastSquaresBilevelProblem Problem, double[] Lambda) LeastSquares(int seed, int dimension = 5, int samples = LeastSquaresSamples) =>
        LeastSquaresBilevelProblem.CreatePaper000(seed, samples, dimension);

    /// <summary>n draws from N(0, scale²), reproducible from the seed (Box–Muller on System.Random).</summary>
    public static double[] RandomVector(int n, int seed, double scale = 1.0)
    {
        var rng = new Random(seed);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            var u1 = 1.0 - rng.NextDouble();
            var u2 = rng.NextDouble();
            values[i] = scale * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        return values;
    }

    /// <summary>Distinct sample indices in [0, sampleCount), reproducible from the seed.</summary>
    public static int[] RandomIndices(int count, int sampleCount, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, sampleCount).OrderBy(_ => rng.Next()).Take(count).ToArray();
    }

    /// <summary>Oracle output as a fresh array: ∇y g(x, y).</summary>
    public static double[] LowerGradientY(BilevelProblem problem, double[] x, double[] y, Batch batch = default)
    {
        var result = new double[problem.LowerDimension];
        problem.LowerGradientY(x, y, result, batch);
        return result;
    }

    /// <summary>The exact lower solution y*(x) as a fresh array.</summary>
    public static double[] ExactLowerSolution(IExactBilevelProblem problem, BilevelProblem shape, double[] x)
    {
        var y = new double[shape.LowerDimension];
        problem.ExactLowerSolution(x, y);
        return y;
    }

    /// <summary>The closed-form ∇Φ(x) as a fresh array.</summary>
    public static double[] ExactHypergradient(IExactBilevelProblem problem, BilevelProblem shape, double[] x)
    {
        var result = new double[shape.UpperDimension];
        problem.ExactHypergradient(x, result);
        return result;
    }
}
