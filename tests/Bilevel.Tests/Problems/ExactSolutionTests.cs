using Bilevel.Hypergradients;
using Bilevel.Problems;
using Bilevel.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;

namespace Bilevel.Tests.Problems;

/// <summary>
/// The closed forms of <see cref="IExactBilevelProblem"/> (y*, ∇Φ, Φ, curvature) on both problems, against finite
/// differences and against an independent solve of the lower problem from ∇y g alone.
/// </summary>
/// <remarks>
/// Φ is quadratic in x on both problems (y* is affine in x and f quadratic), so its central difference is exact up to
/// rounding ε|Φ|/h ≲ 1e-8 relative: 1e-6 is a safe tolerance. Φ from the independent CG solve carries a solve error
/// δy ≲ κ ε ‖y*‖ that the difference amplifies by 1/h ≈ 1e5, to ≲ 1e-8 relative: the same 1e-6 applies.
/// </remarks>
public sealed class ExactSolutionTests
{
    /// <summary>"quadratic" cases: dx, dy, κ, seed; "least-squares" cases: dimension, seed.</summary>
    public static TheoryData<string, int, int, double, int> Problems => new()
    {
        { "quadratic", 1, 1, 1.0, 1 },
        { "quadratic", 7, 13, 10.0, 2 },
        { "quadratic", 13, 7, 100.0, 3 },
        { "quadratic", 4, 30, 1000.0, 4 },
        { "least-squares", 5, 5, 0, 5 },
        { "least-squares", 3, 3, 0, 6 },
    };

    private static (BilevelProblem Problem, IExactBilevelProblem Exact, double[] X) Create(string kind, int dx, int dy, double kappa, int seed)
    {
        if (kind == "quadratic")
        {
            var problem = TestProblems.Quadratic(dx, dy, seed, kappa);
            return (problem, problem, TestProblems.RandomVector(dx, seed + 100));
        }

        var (leastSquares, lambda) = TestProblems.LeastSquares(seed, dx);
        return (leastSquares, leastSquares, lambda);
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void ExactLowerSolution_AnyProblem_ZeroesLowerGradient(string kind, int dx, int dy, double kappa, int seed)
    {
        var (problem, exact, x) = Create(kind, dx, dy, kappa, seed);
        var yStar = TestProblems.ExactLowerSolution(exact, problem, x);
        var atZero = Check.Norm(TestProblems.LowerGradientY(problem, x, new double[problem.LowerDimension]));
        var atStar = Check.Norm(TestProblems.LowerGradientY(problem, x, yStar));
        Assert.True(atZero > 1e-3, "the test needs a non-trivial lower gradient at y = 0");
        // Cholesky's backward error is ≈ κ ε: 1e-10 relative covers κ ≤ 10³ with room.
        Assert.True(atStar <= 1e-10 * atZero, $"‖∇y g(x, y*)‖ = {atStar:E3} vs ‖∇y g(x, 0)‖ = {atZero:E3}");
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void ExactLowerSolution_AnyProblem_MatchesIndependentSolve(string kind, int dx, int dy, double kappa, int seed)
    {
        var (problem, exact, x) = Create(kind, dx, dy, kappa, seed);
        Check.Close(IndependentLowerSolver.Solve(problem, x), TestProblems.ExactLowerSolution(exact, problem, x), 1e-9, "y*");
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void ExactUpperObjective_AnyProblem_EqualsUpperValueAtIndependentSolution(string kind, int dx, int dy, double kappa, int seed)
    {
        var (problem, exact, x) = Create(kind, dx, dy, kappa, seed);
        Check.Close(IndependentLowerSolver.UpperObjective(problem, x), exact.ExactUpperObjective(x), 1e-10, "Φ(x)");
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void ExactHypergradient_AnyProblem_MatchesCentralDifferenceOfExactUpperObjective(string kind, int dx, int dy, double kappa, int seed)
    {
        var (problem, exact, x) = Create(kind, dx, dy, kappa, seed);
        var fd = FiniteDifference.Gradient(xx => exact.ExactUpperObjective(xx), x);
        Check.Close(fd, TestProblems.ExactHypergradient(exact, problem, x), 1e-6, "∇Φ vs central difference of Φ");
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void ExactHypergradient_AnyProblem_MatchesCentralDifferenceOfIndependentlySolvedObjective(string kind, int dx, int dy, double kappa, int seed)
    {
        var (problem, exact, x) = Create(kind, dx, dy, kappa, seed);
        var fd = FiniteDifference.Gradient(xx => IndependentLowerSolver.UpperObjective(problem, xx), x);
        Check.Close(fd, TestProblems.ExactHypergradient(exact, problem, x), 1e-6, "∇Φ vs central difference of f(x, CG-solved y*(x))");
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void ExactHypergradientMethod_AnyProblem_MatchesClosedForm(string kind, int dx, int dy, double kappa, int seed)
    {
        var (problem, exact, x) = Create(kind, dx, dy, kappa, seed);
        var closedForm = TestProblems.ExactHypergradient(exact, problem, x);
        var estimate = OracleChecks.Filled(problem.UpperDimension);
        // The method solves at the exact y*, whatever the trajectory holds (here a poor y_0 = 0).
        new ExactHypergradient().Estimate(problem, x, LowerTrajectory.FromPoint(new double[problem.LowerDimension]), estimate);
        Check.Close(closedForm, estimate, 1e-10, "ExactHypergradient method vs IExactBilevelProblem.ExactHypergradient");
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void LowerCurvature_AnyProblem_MatchesSpectrumOfHessianFromHvps(string kind, int dx, int dy, double kappa, int seed)
    {
        var (problem, exact, x) = Create(kind, dx, dy, kappa, seed);
        var n = problem.LowerDimension;
        var y = new double[n];
        var hessian = Matrix<double>.Build.Dense(n, n);
        for (var j = 0; j < n; j++)
        {
            var unit = new double[n];
            unit[j] = 1;
            var column = new double[n];
            problem.LowerHvp(x, y, unit, column);
            hessian.SetColumn(j, column);
        }

        var eigenvalues = hessian.Evd(Symmetricity.Symmetric).EigenValues.Select(e => e.Real).ToArray();
        var (mu, smoothness) = exact.LowerCurvature(x);
        Check.Close(eigenvalues.Min(), mu, 1e-9, "μ");
        Check.Close(eigenvalues.Max(), smoothness, 1e-9, "L");
        if (kind == "quadratic")
        {
            Check.Close(kappa, smoothness / mu, 1e-9, "κ = L/μ of CreateRandom");
        }
    }

    [Fact]
    public void ExactHypergradient_QuadraticWithIdentityCoupling_MatchesHandComputedValue()
    {
        // dx = dy = 1: g = ½ y² − x y (y* = x), f = ½ x² + ½ (y − 1)²  ⇒  Φ(x) = ½ x² + ½ (x − 1)², ∇Φ(x) = 2x − 1.
        var m = Matrix<double>.Build;
        var v = Vector<double>.Build;
        var lower = new QuadraticForm(m.Dense(1, 1), m.Dense(1, 1, -1.0), m.Dense(1, 1, 1.0), v.Dense(1), v.Dense(1));
        var upper = new QuadraticForm(m.Dense(1, 1, 1.0), m.Dense(1, 1), m.Dense(1, 1, 1.0), v.Dense(1), v.Dense(1, -1.0), 0.5);
        var problem = new QuadraticBilevelProblem(upper, lower);
        double[] x = [3.0];
        Assert.Equal(3.0, TestProblems.ExactLowerSolution(problem, problem, x)[0], 14);
        Assert.Equal(5.0, TestProblems.ExactHypergradient(problem, problem, x)[0], 14);
        Assert.Equal(6.5, problem.ExactUpperObjective(x), 14);
    }
}
