using Bilevel.Numerics;
using Bilevel.Problems;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper002;

/// <summary>Hand-written reference recursions for the paper-002 solver tests (independent of the solvers' code).</summary>
internal static class Paper002Kit
{
    /// <summary>step · Σ_{q=0}^{terms−1} (I − step ∇²yy g(x, y))^q b, one HVP per term.</summary>
    public static double[] NeumannSum(BilevelProblem problem, double[] x, double[] y, double[] b, double step, int terms, Batch batch = default)
    {
        var v = new double[b.Length];
        var term = b.ToArray();
        var product = new double[b.Length];
        for (var q = 0; q < terms; q++)
        {
            Vectors.Axpy(step, term, v);
            problem.LowerHvp(x, y, term, product, batch);
            Vectors.Axpy(-step, product, term);
        }

        return v;
    }

    /// <summary>∇y f(x, y) as a fresh array.</summary>
    public static double[] UpperGradientY(BilevelProblem problem, double[] x, double[] y, Batch batch = default)
    {
        var g = new double[problem.LowerDimension];
        problem.UpperGradientY(x, y, g, batch);
        return g;
    }

    /// <summary>∇x f(x, y) − ∇²xy g(x, y) v as a fresh array.</summary>
    public static double[] Implicit(BilevelProblem problem, double[] x, double[] y, double[] v, Batch upper = default, Batch lower = default)
    {
        var h = new double[problem.UpperDimension];
        var cross = new double[problem.UpperDimension];
        problem.UpperGradientX(x, y, h, upper);
        problem.LowerCrossProduct(x, y, v, cross, lower);
        Vectors.Axpy(-1, cross, h);
        return h;
    }

    /// <summary>A random x and y*(x) on <paramref name="problem"/>.</summary>
    public static (double[] X, double[] Y) AtLowerSolution(QuadraticBilevelProblem problem, int seed)
    {
        var x = TestProblems.RandomVector(problem.UpperDimension, seed);
        var y = new double[problem.LowerDimension];
        problem.ExactLowerSolution(x, y);
        return (x, y);
    }
}
