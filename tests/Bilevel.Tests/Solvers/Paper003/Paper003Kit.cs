using Bilevel.LinearSolvers;
using Bilevel.Numerics;
using Bilevel.Problems;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Solvers.Paper003;

/// <summary>Shared setups of the paper-003 solver tests: a quadratic at (x, y*(x)) with z* and ∇Φ(x).</summary>
internal static class Paper003Kit
{
    /// <summary>A random quadratic (dx = 10, dy = 20, κ = 10), a random x, y*(x), z* = −[∇²yy g]⁻¹ ∇y f at (x, y*) and ∇Φ(x).</summary>
    internal static (QuadraticBilevelProblem Problem, double[] X, double[] Y, double[] Z, double[] Hypergradient) AtLowerSolution(int seed = 3)
    {
        var problem = TestProblems.Quadratic(10, 20, 1);
        var x = TestProblems.RandomVector(10, seed);
        var y = new double[20];
        problem.ExactLowerSolution(x, y);
        var z = LinearSystemSolution(problem, x, y);
        var exact = new double[10];
        problem.ExactHypergradient(x, exact);
        return (problem, x, y, z, exact);
    }

    /// <summary>z* = −[∇²yy g(x, y)]⁻¹ ∇y f(x, y) by 60 CG steps (exact for dy = 20 up to rounding).</summary>
    internal static double[] LinearSystemSolution(BilevelProblem problem, double[] x, double[] y)
    {
        var b = new double[problem.LowerDimension];
        problem.UpperGradientY(x, y, b);
        Vectors.Axpy(-2, b, b);
        var z = new double[problem.LowerDimension];
        new ConjugateGradient(new ConjugateGradientOptions(60, RelativeTolerance: 1e-14)).Solve(new LowerHessianOperator(problem).Bind(x, y), b, z);
        return z;
    }

    /// <summary>x − a d as a fresh array.</summary>
    internal static double[] Step(double[] x, double a, double[] d)
    {
        var result = x.ToArray();
        Vectors.Axpy(-a, d, result);
        return result;
    }
}
