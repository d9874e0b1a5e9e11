using Bilevel.Problems;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems;

/// <summary>
/// Every oracle of small paper-000 <see cref="LeastSquaresBilevelProblem"/> instances (n = 200), on the full batch and
/// on mini-batches, against central finite differences of the same-batch values.
/// </summary>
public sealed class LeastSquaresBilevelProblemOracleTests
{
    /// <summary>seed, dimension, mini-batch size (0: full batch).</summary>
    public static TheoryData<int, int, int> Cases => new()
    {
        { 1, 5, 0 },
        { 2, 3, 0 },
        { 3, 5, 17 },
        { 4, 2, 1 },
        { 5, 4, 64 },
    };

    private static (LeastSquaresBilevelProblem Problem, double[] X, double[] Y, double[] V, Batch Batch) Point(int seed, int dimension, int batchSize)
    {
        var (problem, lambda) = TestProblems.LeastSquares(seed, dimension);
        var batch = batchSize == 0 ? Batch.Full : Batch.Of(TestProblems.RandomIndices(batchSize, problem.SampleCount, seed + 400));
        var x = lambda.Select((value, i) => value + (0.5 * TestProblems.RandomVector(dimension, seed + 100)[i])).ToArray();
        return (problem, x, TestProblems.RandomVector(dimension, seed + 200), TestProblems.RandomVector(dimension, seed + 300), batch);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void UpperGradients_LeastSquares_MatchCentralDifferenceOfUpperValue(int seed, int dimension, int batchSize)
    {
        var (problem, x, y, _, batch) = Point(seed, dimension, batchSize);
        // f = ‖A_o y − b_o‖² does not depend on x: ∇x f and its finite difference are exactly 0.
        OracleChecks.UpperGradients(problem, x, y, batch, gradientXIsZero: true);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LowerGradients_LeastSquares_MatchCentralDifferenceOfLowerValue(int seed, int dimension, int batchSize)
    {
        var (problem, x, y, _, batch) = Point(seed, dimension, batchSize);
        OracleChecks.LowerGradients(problem, x, y, batch);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LowerHvp_LeastSquares_MatchesCentralDifference(int seed, int dimension, int batchSize)
    {
        var (problem, x, y, v, batch) = Point(seed, dimension, batchSize);
        OracleChecks.LowerHvp(problem, x, y, v, batch);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LowerCrossProduct_LeastSquares_MatchesCentralDifference(int seed, int dimension, int batchSize)
    {
        var (problem, x, y, v, batch) = Point(seed, dimension, batchSize);
        OracleChecks.LowerCrossProduct(problem, x, y, v, batch);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LowerHvpAndCrossProduct_LeastSquares_EqualsSeparateCalls(int seed, int dimension, int batchSize)
    {
        var (problem, x, y, v, batch) = Point(seed, dimension, batchSize);
        OracleChecks.FusedSecondOrder(problem, x, y, v, batch);
    }

    [Fact]
    public void Oracles_BatchOfEveryIndex_MatchFullBatch()
    {
        var (problem, x, y, v, _) = Point(6, 5, 0);
        var all = Batch.Of(Enumerable.Range(0, problem.SampleCount).ToArray());
        Check.Close(problem.UpperValue(x, y), problem.UpperValue(x, y, all), 1e-12, "f");
        Check.Close(problem.LowerValue(x, y), problem.LowerValue(x, y, all), 1e-12, "g");
        foreach (var (full, mini, what) in AllOutputs(problem, x, y, v, Batch.Full).Zip(AllOutputs(problem, x, y, v, all),
                     (a, b) => (a.Value, b.Value, a.Name)))
        {
            Check.Close(full, mini, 1e-12, what);
        }
    }

    [Fact]
    public void Oracles_AverageOverSingletonBatches_EqualFullBatch()
    {
        // Unbiasedness of the (n/|B|) Σ_{i∈B} scaling: the mean over the n singleton batches {i} is the full value.
        var (problem, x, y, v, _) = Point(7, 3, 0);
        var n = problem.SampleCount;
        var full = AllOutputs(problem, x, y, v, Batch.Full);
        var sums = full.Select(o => new double[o.Value.Length]).ToArray();
        double upper = 0, lower = 0;
        for (var i = 0; i < n; i++)
        {
            var batch = Batch.Of([i]);
            upper += problem.UpperValue(x, y, batch) / n;
            lower += problem.LowerValue(x, y, batch) / n;
            var outputs = AllOutputs(problem, x, y, v, batch);
            for (var k = 0; k < outputs.Length; k++)
            {
                for (var j = 0; j < outputs[k].Value.Length; j++)
                {
                    sums[k][j] += outputs[k].Value[j] / n;
                }
            }
        }

        Check.Close(problem.UpperValue(x, y), upper, 1e-11, "mean f over singletons");
        Check.Close(problem.LowerValue(x, y), lower, 1e-11, "mean g over singletons");
        for (var k = 0; k < full.Length; k++)
        {
            Check.Close(full[k].Value, sums[k], 1e-11, "mean " + full[k].Name + " over singletons");
        }
    }

    [Fact]
    public void Oracles_MiniBatch_DifferFromFullBatch()
    {
        // Guards the mini-batch tests above against a batch that is silently ignored.
        var (problem, x, y, v, batch) = Point(3, 5, 17);
        var full = AllOutputs(problem, x, y, v, Batch.Full);
        var mini = AllOutputs(problem, x, y, v, batch);
        for (var k = 0; k < full.Length; k++)
        {
            Assert.True(Check.RelativeError(mini[k].Value, full[k].Value) > 1e-3, $"{full[k].Name} ignores the batch");
        }
    }

    [Fact]
    public void UpperGradients_BatchIndexOutOfRange_Throws()
    {
        var (problem, x, y, _, _) = Point(1, 5, 0);
        var gy = new double[5];
        Assert.Throws<ArgumentException>(() => problem.UpperGradientY(x, y, gy, Batch.Of([0, problem.SampleCount])));
        Assert.Throws<ArgumentException>(() => problem.LowerHvp(x, y, y, gy, Batch.Of([-1])));
    }

    private static (string Name, double[] Value)[] AllOutputs(LeastSquaresBilevelProblem problem, double[] x, double[] y, double[] v, Batch batch)
    {
        var dx = problem.UpperDimension;
        var dy = problem.LowerDimension;
        var fy = new double[dy];
        var gx = new double[dx];
        var gy = new double[dy];
        var hvp = new double[dy];
        var cross = new double[dx];
        problem.UpperGradientY(x, y, fy, batch);
        problem.LowerGradients(x, y, gx, gy, batch);
        problem.LowerHvpAndCrossProduct(x, y, v, hvp, cross, batch);
        return [("∇y f", fy), ("∇x g", gx), ("∇y g", gy), ("HVP", hvp), ("cross", cross)];
    }
}
