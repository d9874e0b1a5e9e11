using Bilevel.Problems;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems;

/// <summary>What one direct oracle call adds to <see cref="BilevelProblem.Counter"/>, and how batches count samples.</summary>
public sealed class OracleCountTests
{
    private const int Dimension = 4;

    private static OracleCounts Zero => default;

    /// <summary>Runs <paramref name="call"/> and returns what it added to the counts, time excluded.</summary>
    private static OracleCounts Delta(BilevelProblem problem, Action call)
    {
        var before = problem.Counter.Snapshot();
        call();
        return (problem.Counter.Snapshot() - before) with { OracleTicks = 0 };
    }

    public static TheoryData<int> BatchSizes => new() { 0, 1, 17 };

    private static (LeastSquaresBilevelProblem Problem, double[] X, double[] Y, Batch Batch, long Samples) Setup(int batchSize)
    {
        var (problem, lambda) = TestProblems.LeastSquares(3, Dimension);
        var batch = batchSize == 0 ? Batch.Full : Batch.Of(TestProblems.RandomIndices(batchSize, problem.SampleCount, 9));
        return (problem, lambda, TestProblems.RandomVector(Dimension, 4), batch, batchSize == 0 ? problem.SampleCount : batchSize);
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void LowerHvp_OneCall_CountsOneHvpAndBatchSamples(int batchSize)
    {
        var (problem, x, y, batch, samples) = Setup(batchSize);
        var hvp = new double[Dimension];
        Assert.Equal(Zero with { Hvps = 1, LowerSamples = samples }, Delta(problem, () => problem.LowerHvp(x, y, y, hvp, batch)));
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void LowerCrossProduct_OneCall_CountsOneCrossProductAndBatchSamples(int batchSize)
    {
        var (problem, x, y, batch, samples) = Setup(batchSize);
        var cross = new double[Dimension];
        Assert.Equal(Zero with { CrossProducts = 1, LowerSamples = samples },
            Delta(problem, () => problem.LowerCrossProduct(x, y, y, cross, batch)));
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void LowerHvpAndCrossProduct_OneCall_CountsOneOfEachAndSamplesOnce(int batchSize)
    {
        var (problem, x, y, batch, samples) = Setup(batchSize);
        var hvp = new double[Dimension];
        var cross = new double[Dimension];
        Assert.Equal(Zero with { Hvps = 1, CrossProducts = 1, LowerSamples = samples },
            Delta(problem, () => problem.LowerHvpAndCrossProduct(x, y, y, hvp, cross, batch)));
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void Gradients_EachCall_CountsItsPartsAndSamplesOnce(int batchSize)
    {
        var (problem, x, y, batch, samples) = Setup(batchSize);
        var gx = new double[Dimension];
        var gy = new double[Dimension];
        Assert.Equal(Zero with { UpperGradientsX = 1, UpperGradientsY = 1, UpperSamples = samples },
            Delta(problem, () => problem.UpperGradients(x, y, gx, gy, batch)));
        Assert.Equal(Zero with { UpperGradientsX = 1, UpperSamples = samples }, Delta(problem, () => problem.UpperGradientX(x, y, gx, batch)));
        Assert.Equal(Zero with { UpperGradientsY = 1, UpperSamples = samples }, Delta(problem, () => problem.UpperGradientY(x, y, gy, batch)));
        Assert.Equal(Zero with { LowerGradientsX = 1, LowerGradientsY = 1, LowerSamples = samples },
            Delta(problem, () => problem.LowerGradients(x, y, gx, gy, batch)));
        Assert.Equal(Zero with { LowerGradientsX = 1, LowerSamples = samples }, Delta(problem, () => problem.LowerGradientX(x, y, gx, batch)));
        Assert.Equal(Zero with { LowerGradientsY = 1, LowerSamples = samples }, Delta(problem, () => problem.LowerGradientY(x, y, gy, batch)));
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void Values_EachCall_CountsOneValueAndBatchSamples(int batchSize)
    {
        var (problem, x, y, batch, samples) = Setup(batchSize);
        Assert.Equal(Zero with { UpperValues = 1, UpperSamples = samples }, Delta(problem, () => problem.UpperValue(x, y, batch)));
        Assert.Equal(Zero with { LowerValues = 1, LowerSamples = samples }, Delta(problem, () => problem.LowerValue(x, y, batch)));
    }

    [Fact]
    public void Counter_QuadraticProblem_CountsOneSamplePerCallAndAccumulates()
    {
        var problem = TestProblems.Quadratic(3, 2, 5);
        var x = new double[3];
        var y = new double[2];
        var hvp = new double[2];
        for (var i = 0; i < 7; i++)
        {
            problem.LowerHvp(x, y, y, hvp);
        }

        Assert.Equal(Zero with { Hvps = 7, LowerSamples = 7 }, problem.Counter.Snapshot() with { OracleTicks = 0 });
        Assert.Equal(1, problem.UpperSampleCount);
        Assert.Equal(1, problem.LowerSampleCount);
        problem.Counter.Reset();
        Assert.Equal(Zero, problem.Counter.Snapshot());
    }

    [Fact]
    public void ExactOracles_AnyCall_AreNotCounted()
    {
        var (problem, x, _, _, _) = Setup(0);
        var y = new double[Dimension];
        var g = new double[Dimension];
        Assert.Equal(Zero, Delta(problem, () =>
        {
            problem.ExactLowerSolution(x, y);
            problem.ExactHypergradient(x, g);
            _ = problem.ExactUpperObjective(x);
            _ = problem.LowerCurvature(x);
        }));
    }

    [Fact]
    public void Batch_Of_CountsItsIndicesAndFullCountsEverySample()
    {
        Assert.Equal(3, Batch.Of([1, 5, 7]).Count(200));
        Assert.Equal(2, Batch.Of([4, 4]).Count(200));
        Assert.Equal(200, Batch.Full.Count(200));
        Assert.True(Batch.Full.IsFull);
        Assert.True(default(Batch).IsFull);
        Assert.False(Batch.Of([0]).IsFull);
        Assert.Equal([1, 5, 7], Batch.Of([1, 5, 7]).Indices.ToArray());
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => Batch.Of([])).ParamName);
        Assert.Throws<ArgumentNullException>(() => Batch.Of(null!));
    }

    [Fact]
    public void OracleCounts_Subtract_GivesCostOfTheWorkBetweenSnapshots()
    {
        var a = new OracleCounts(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        var b = new OracleCounts(10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110);
        Assert.Equal(new OracleCounts(9, 18, 27, 36, 45, 54, 63, 72, 81, 90, 99), b - a);
        Assert.Equal(b, (b - a) + a);
        Assert.Equal(3 + 4 + 5 + 6, a.Gradients);
        Assert.Equal(7 + 8, a.SecondOrderProducts);
    }
}
