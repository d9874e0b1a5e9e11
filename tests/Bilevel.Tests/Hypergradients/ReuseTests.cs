using Bilevel.Hypergradients;
using Bilevel.LinearSolvers;
using Bilevel.Problems;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Hypergradients;

/// <summary>
/// One estimator instance (with its cached Hessian operator and buffers) used on two different problems of the same
/// dimensions, alternately, gives each problem its own answer.
/// </summary>
public sealed class ReuseTests
{
    private sealed record Case(BilevelProblem Problem, IExactBilevelProblem Exact, double[] X, double[] YStar, double[] Truth);

    private static Case Quadratic(int seed)
    {
        var problem = TestProblems.Quadratic(7, 13, seed);
        var x = TestProblems.RandomVector(7, seed + 100);
        return new Case(problem, problem, x, TestProblems.ExactLowerSolution(problem, problem, x), TestProblems.ExactHypergradient(problem, problem, x));
    }

    private static Case LeastSquares(int seed)
    {
        var (problem, lambda) = TestProblems.LeastSquares(seed, 5);
        return new Case(problem, problem, lambda, TestProblems.ExactLowerSolution(problem, problem, lambda), TestProblems.ExactHypergradient(problem, problem, lambda));
    }

    public static TheoryData<string, string> Methods => new()
    {
        { "exact", "quadratic" },
        { "exact", "least-squares" },
        { "AID-CG", "quadratic" },
        { "AID-CG", "least-squares" },
        { "AID-CG-warm", "quadratic" },
        { "AID-CG-warm", "least-squares" },
        { "AID-Cholesky", "quadratic" },
    };

    private static HypergradientMethod Create(string method, int dy) => method switch
    {
        "exact" => new ExactHypergradient(),
        "AID-CG" => new ImplicitDifferentiation(new ConjugateGradient(new ConjugateGradientOptions(dy))),
        "AID-CG-warm" => new ImplicitDifferentiation(new ConjugateGradient(new ConjugateGradientOptions(dy, WarmStart: true))),
        "AID-Cholesky" => new ImplicitDifferentiation(new CholeskySolver()),
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void Estimate_OneInstanceOnTwoProblemsAlternately_GivesEachProblemsExactHypergradient(string method, string kind)
    {
        Case[] cases = kind == "quadratic" ? [Quadratic(51), Quadratic(52)] : [LeastSquares(53), LeastSquares(54)];
        // The answers differ by ≥ 5 % (least squares) and far more (quadratic), against a 1e-10 tolerance below.
        Assert.True(Check.RelativeError(cases[0].Truth, cases[1].Truth) > 1e-2, "the two problems must have different answers");
        var dy = cases[0].Problem.LowerDimension;
        var shared = Create(method, dy);
        foreach (var c in new[] { cases[0], cases[1], cases[0], cases[1] })
        {
            var estimate = OracleChecks.Filled(c.X.Length);
            shared.Estimate(c.Problem, c.X, LowerTrajectory.FromPoint(c.YStar), estimate);
            Check.Close(c.Truth, estimate, 1e-10, $"{method} reused on {c.Problem.Name}");

            if (method != "AID-CG-warm")
            {
                // Without warm start nothing may carry over: the reused instance matches a fresh one bitwise.
                var fresh = new double[c.X.Length];
                Create(method, dy).Estimate(c.Problem, c.X, LowerTrajectory.FromPoint(c.YStar), fresh);
                Check.BitwiseEqual(fresh, estimate, $"{method} reused vs fresh on {c.Problem.Name}");
            }
        }
    }

    [Fact]
    public void Estimate_OneInstanceOnProblemsOfDifferentDimensions_GivesEachProblemsAnswer()
    {
        var small = TestProblems.Quadratic(3, 4, 55);
        var large = TestProblems.Quadratic(9, 11, 56);
        var method = new ExactHypergradient();
        foreach (var problem in new[] { large, small, large })
        {
            var x = TestProblems.RandomVector(problem.UpperDimension, 57);
            var estimate = new double[problem.UpperDimension];
            method.Estimate(problem, x, LowerTrajectory.FromPoint(new double[problem.LowerDimension]), estimate);
            Check.Close(TestProblems.ExactHypergradient(problem, problem, x), estimate, 1e-10, problem.Name);
        }
    }

    [Fact]
    public void Estimate_ForwardRecursionOnTwoProblems_EachMatchesAFreshInstance()
    {
        var a = TestProblems.Quadratic(7, 13, 58);
        var b = TestProblems.Quadratic(7, 13, 59);
        var x = TestProblems.RandomVector(7, 60);
        var step = 0.5 / Math.Max(a.LowerCurvature(x).Smoothness, b.LowerCurvature(x).Smoothness);
        var shared = new ForwardRecursion(step);
        foreach (var problem in new[] { a, b, a })
        {
            var trajectory = Estimators.Trajectory(problem, x, 12, step);
            var reused = new double[7];
            var fresh = new double[7];
            shared.Estimate(problem, x, trajectory, reused);
            new ForwardRecursion(step).Estimate(problem, x, trajectory, fresh);
            Check.BitwiseEqual(fresh, reused, $"FSLA reused on {problem.Name}");
        }
    }
}
