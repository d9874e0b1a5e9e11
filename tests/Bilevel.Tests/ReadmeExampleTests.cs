using Bilevel.Hypergradients;
using Bilevel.LinearSolvers;
using Bilevel.Numerics;
using Bilevel.Problems;
using MathNet.Numerics.LinearAlgebra;

namespace Bilevel.Tests;

/// <summary>The two "define your own problem" examples of README.md, verbatim: keep them in sync.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void QuadraticExample_Dx7Dy13_AidCgMatchesExactTo1e10()
    {
        // --- README: begin ---
        int dx = 7, dy = 13;
        var M = Matrix<double>.Build;
        var V = Vector<double>.Build;
        var lower = new QuadraticForm(                                     // g: strongly convex in y
            Qxx: M.Dense(dx, dx),
            Qxy: M.Dense(dx, dy, (i, j) => Math.Sin(i + (2.0 * j))),
            Qyy: M.Dense(dy, dy, (i, j) => i == j ? 4.0 : Math.Abs(i - j) == 1 ? -1.0 : 0.0),
            Bx: V.Dense(dx),
            By: V.Dense(dy, 1.0));
        var upper = new QuadraticForm(                                     // f
            Qxx: 0.1 * M.DenseIdentity(dx),
            Qxy: M.Dense(dx, dy),
            Qyy: M.DenseIdentity(dy),
            Bx: V.Dense(dx),
            By: V.Dense(dy, j => -j));
        var problem = new QuadraticBilevelProblem(upper, lower, "my-problem");

        var x = new double[dx];
        x[0] = 1;
        var trajectory = InnerGradientDescent.Run(problem, x, new double[dy], steps: 200, stepSize: 0.15, keepHistory: false);
        var aidCg = new ImplicitDifferentiation(new ConjugateGradient(new ConjugateGradientOptions(Iterations: dy)));
        var estimate = new double[dx];
        var cost = aidCg.Estimate(problem, x, trajectory, estimate);

        var exact = new double[dx];
        problem.ExactHypergradient(x, exact);
        Console.WriteLine($"relative error {Vectors.RelativeError(estimate, exact):E2}, cost: {cost.Counts}");
        // --- README: end ---

        Assert.True(Vectors.Norm(exact) > 1, "the example should have a non-trivial hypergradient");
        Assert.True(Vectors.RelativeError(estimate, exact) <= 1e-10, $"relative error {Vectors.RelativeError(estimate, exact):E3}");
        Assert.Equal(1, cost.Counts.CrossProducts);
        Assert.InRange(cost.Counts.Hvps, 1, dy);
    }

    [Theory]
    [InlineData("var problem = new QuadraticBilevelProblem(upper, lower, \"my-problem\");")]
    [InlineData("public sealed class ScaledProblem(int n) : BilevelProblem(n, n)")]
    public void ReadmeCodeBlock_EveryLine_AppearsInThisTest(string marker)
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var test = File.ReadAllText(Path.Combine(root, "tests", "Bilevel.Tests", "ReadmeExampleTests.cs"));
        var at = readme.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"README lost the example marked by: {marker}");
        var start = readme.LastIndexOf("```csharp", at, StringComparison.Ordinal);
        var end = readme.IndexOf("```", at, StringComparison.Ordinal);
        var lines = readme[start..end].Split('\n').Skip(1).Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal)).ToArray();
        Assert.True(lines.Length > 10);
        Assert.All(lines, line => Assert.Contains(line, test, StringComparison.Ordinal));
    }

    [Fact]
    public void ScaledProblem_Oracles_MatchFiniteDifferences()
    {
        var problem = new ScaledProblem(4);
        double[] x = [0.3, -0.2, 0.7, 0.0];
        double[] y = [1.1, 0.4, -0.5, 2.0];
        double[] v = [0.5, -1.0, 0.25, 2.0];
        const double h = 1e-5;
        var gx = new double[4];
        var gy = new double[4];
        problem.LowerGradients(x, y, gx, gy);
        var hvp = new double[4];
        var cross = new double[4];
        problem.LowerHvpAndCrossProduct(x, y, v, hvp, cross);
        var ugy = new double[4];
        problem.UpperGradientY(x, y, ugy);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(Central(t => problem.LowerValue(x, Shift(y, i, t)), h), gy[i], 1e-8);
            Assert.Equal(Central(t => problem.LowerValue(Shift(x, i, t), y), h), gx[i], 1e-8);
            Assert.Equal(Central(t => problem.UpperValue(x, Shift(y, i, t)), h), ugy[i], 1e-8);
            Assert.Equal(Central(t => Dot(LowerGradY(problem, x, Shift(y, i, t)), v), h), hvp[i], 1e-7);
            Assert.Equal(Central(t => Dot(LowerGradY(problem, Shift(x, i, t), y), v), h), cross[i], 1e-7);
        }

        // y* = e^{−x}, Φ = ½ Σ (e^{−x} − 1)², ∇Φ_i = −(e^{−x_i} − 1) e^{−x_i}: the exact estimator at y* recovers it.
        var yStar = x.Select(xi => Math.Exp(-xi)).ToArray();
        var estimate = new double[4];
        new ImplicitDifferentiation(new CholeskySolver()).Estimate(problem, x, LowerTrajectory.FromPoint(yStar), estimate);
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(-(Math.Exp(-x[i]) - 1) * Math.Exp(-x[i]), estimate[i], 1e-12);
        }
    }

    private static double[] LowerGradY(BilevelProblem problem, double[] x, double[] y)
    {
        var g = new double[y.Length];
        problem.LowerGradientY(x, y, g);
        return g;
    }

    private static double[] Shift(double[] a, int i, double t)
    {
        var b = (double[])a.Clone();
        b[i] += t;
        return b;
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum();

    private static double Central(Func<double, double> f, double h) => (f(h) - f(-h)) / (2 * h);

    private static string RepositoryRoot() => Environment.ScriptTests.RepositoryRoot();

    // --- README: ScaledProblem, verbatim ---
    public sealed class ScaledProblem(int n) : BilevelProblem(n, n)
    {
        public override string Name => "scaled";

        protected override double UpperValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch)
        {
            var sum = 0.0;
            for (var i = 0; i < y.Length; i++) sum += 0.5 * (y[i] - 1) * (y[i] - 1);
            return sum;
        }

        protected override double LowerValueCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Batch batch)
        {
            var sum = 0.0;
            for (var i = 0; i < y.Length; i++) sum += (0.5 * Math.Exp(x[i]) * y[i] * y[i]) - y[i];
            return sum;
        }

        protected override void UpperGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
        {
            gradientX.Clear();                                                 // f does not depend on x
            for (var i = 0; i < gradientY.Length; i++) gradientY[i] = y[i] - 1;
        }

        protected override void LowerGradientsCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY, Batch batch)
        {
            for (var i = 0; i < gradientX.Length; i++) gradientX[i] = 0.5 * Math.Exp(x[i]) * y[i] * y[i];
            for (var i = 0; i < gradientY.Length; i++) gradientY[i] = (Math.Exp(x[i]) * y[i]) - 1;
        }

        protected override void LowerSecondOrderCore(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
            Span<double> hvp, Span<double> crossProduct, Batch batch)
        {
            for (var i = 0; i < hvp.Length; i++) hvp[i] = Math.Exp(x[i]) * v[i];           // ∇²yy g · v
            for (var i = 0; i < crossProduct.Length; i++) crossProduct[i] = Math.Exp(x[i]) * y[i] * v[i]; // ∇²xy g · v
        }
    }
}
