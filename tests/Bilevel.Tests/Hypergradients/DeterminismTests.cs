using Bilevel.Problems;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Hypergradients;

/// <summary>Same seed, same problem, same estimator settings: bitwise-identical estimates and counts.</summary>
public sealed class DeterminismTests
{
    public static TheoryData<string> All
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in Estimators.Approximate.Append(Estimators.Exact))
            {
                data.Add(name);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Estimate_SameSeedQuadratic_BitwiseIdenticalEstimates(string estimator)
    {
        double[] Build(int seed)
        {
            var problem = QuadraticBilevelProblem.CreateRandom(7, 13, 10, seed);
            var x = TestProblems.RandomVector(7, 61);
            return Estimators.Run(estimator, problem, x, 12, 0.9 / problem.LowerCurvature(x).Smoothness).Estimate;
        }

        var first = Build(62);
        Check.BitwiseEqual(first, Build(62), $"{estimator} on two same-seed problems");
        Assert.NotEqual(first, Build(63));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Estimate_SameSeedLeastSquaresMiniBatch_BitwiseIdenticalEstimatesAndCounts(string estimator)
    {
        (double[], OracleCounts) Build(int seed)
        {
            var (problem, lambda) = LeastSquaresBilevelProblem.CreatePaper000(seed, 300, 5);
            var batch = Batch.Of(TestProblems.RandomIndices(40, 300, 64));
            return Estimators.Run(estimator, problem, lambda, 5, 0.9 / problem.LowerCurvature(lambda).Smoothness, batch);
        }

        var (first, firstCounts) = Build(65);
        var (second, secondCounts) = Build(65);
        Check.BitwiseEqual(first, second, $"{estimator} on two same-seed problems");
        Assert.Equal(firstCounts, secondCounts);
        Assert.NotEqual(first, Build(66).Item1);
    }

    [Fact]
    public void Estimate_SameInstanceRepeated_BitwiseIdentical()
    {
        var problem = TestProblems.Quadratic(5, 8, 67);
        var x = TestProblems.RandomVector(5, 68);
        var step = 0.9 / problem.LowerCurvature(x).Smoothness;
        foreach (var name in Estimators.Approximate)
        {
            var method = Estimators.Create(name, 8, step);
            var trajectory = Estimators.Trajectory(problem, x, 8, step);
            var a = new double[5];
            var b = new double[5];
            method.Estimate(problem, x, trajectory, a);
            method.Estimate(problem, x, trajectory, b);
            Check.BitwiseEqual(a, b, $"{name} estimated twice");
        }
    }
}
