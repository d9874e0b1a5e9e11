using Bilevel.Problems;

namespace Bilevel.Tests.TestSupport;

/// <summary>
/// Solves the lower problem min_y g(x, y) from the ∇y g oracle alone, independently of the problems' closed forms and
/// of the library's solvers and second-order oracles: for the quadratic lower objectives here ∇y g(x, ·) is affine,
/// y ↦ H y + c, so H v = ∇y g(x, v) − ∇y g(x, 0) and CG (written out here) on H y = −c gives y*(x).
/// </summary>
public static class IndependentLowerSolver
{
    /// <summary>y*(x) to a relative residual of 1e-14 (CG restarted until it gets there).</summary>
    public static double[] Solve(BilevelProblem problem, double[] x)
    {
        var dy = problem.LowerDimension;
        var zero = new double[dy];
        var offset = TestProblems.LowerGradientY(problem, x, zero);
        double[] Apply(double[] v)
        {
            var g = TestProblems.LowerGradientY(problem, x, v);
            for (var i = 0; i < dy; i++)
            {
                g[i] -= offset[i];
            }

            return g;
        }

        var b = offset.Select(c => -c).ToArray();
        var bNorm = Check.Norm(b);
        var y = new double[dy];
        for (var restart = 0; restart < 20; restart++)
        {
            var hy = Apply(y);
            var r = b.Select((bi, i) => bi - hy[i]).ToArray();
            if (Check.Norm(r) <= 1e-14 * bNorm)
            {
                return y;
            }

            var p = (double[])r.Clone();
            var rr = Dot(r, r);
            for (var k = 0; k < dy && rr > 0; k++)
            {
                var hp = Apply(p);
                var alpha = rr / Dot(p, hp);
                for (var i = 0; i < dy; i++)
                {
                    y[i] += alpha * p[i];
                    r[i] -= alpha * hp[i];
                }

                var rrNext = Dot(r, r);
                var beta = rrNext / rr;
                for (var i = 0; i < dy; i++)
                {
                    p[i] = r[i] + (beta * p[i]);
                }

                rr = rrNext;
            }
        }

        return y;
    }

    /// <summary>Φ(x) = f(x, y*(x)) with y* from <see cref="Solve"/>.</summary>
    public static double UpperObjective(BilevelProblem problem, double[] x) => problem.UpperValue(x, Solve(problem, x));

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
