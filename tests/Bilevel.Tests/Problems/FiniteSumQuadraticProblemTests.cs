using Bilevel.Problems;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems;

/// <summary>
/// The finite-sum quadratic: every oracle against central differences on full and mini-batches, unbiasedness
/// (the average over all single-sample batches equals the full batch), and the exact truth of the mean problem.
/// </summary>
public sealed class FiniteSumQuadraticProblemTests
{
    public static TheoryData<int> BatchSizes => new() { 0, 1, 7, 64 };

    private static (FiniteSumQuadraticProblem Problem, double[] X, double[] Y, double[] V, Batch Batch) Point(int batchSize)
    {
        var problem = FiniteSumQuadraticProblem.CreateRandom(4, 6, 10, 50, seed: 3);
        var batch = batchSize == 0 ? Batch.Full : Batch.Of(TestProblems.RandomIndices(batchSize, 50, 11));
        return (problem, TestProblems.RandomVector(4, 1), TestProblems.RandomVector(6, 2), TestProblems.RandomVector(6, 4), batch);
    }

    [Theory]
    [MemberData(nameof(BatchSizes))]
    public void Oracles_AnyBatch_MatchCentralDifferences(int batchSize)
    {
        var (problem, x, y, v, batch) = Point(batchSize);
        OracleChecks.UpperGradients(problem, x, y, batch);
        OracleChecks.LowerGradients(problem, x, y, batch);
        OracleChecks.LowerHvp(problem, x, y, v, batch);
        OracleChecks.LowerCrossProduct(problem, x, y, v, batch);
        OracleChecks.FusedSecondOrder(problem, x, y, v, batch);
    }

    [Fact]
    public void Oracles_AverageOfSingleSampleBatches_EqualFullBatch()
    {
        var (problem, x, y, v, _) = Point(0);
        var n = problem.LowerSampleCount;
        var fullGy = new double[6];
        var fullHv = new double[6];
        var fullCross = new double[4];
        var fullFx = new double[4];
        problem.LowerGradientY(x, y, fullGy);
        problem.LowerHvpAndCrossProduct(x, y, v, fullHv, fullCross);
        problem.UpperGradientX(x, y, fullFx);
        double[] sumGy = new double[6], sumHv = new double[6], sumCross = new double[4], sumFx = new double[4];
        double[] gy = new double[6], hv = new double[6], cross = new double[4], fx = new double[4];
        double sumF = 0, sumG = 0;
        for (var i = 0; i < n; i++)
        {
            var batch = Batch.Of([i]);
            problem.LowerGradientY(x, y, gy, batch);
            problem.LowerHvpAndCrossProduct(x, y, v, hv, cross, batch);
            problem.UpperGradientX(x, y, fx, batch);
            sumF += problem.UpperValue(x, y, batch) / n;
            sumG += problem.LowerValue(x, y, batch) / n;
            for (var j = 0; j < 6; j++)
            {
                sumGy[j] += gy[j] / n;
                sumHv[j] += hv[j] / n;
            }

            for (var j = 0; j < 4; j++)
            {
                sumCross[j] += cross[j] / n;
                sumFx[j] += fx[j] / n;
            }
        }

        Check.Close(fullGy, sumGy, 1e-12, "∇y g");
        Check.Close(fullHv, sumHv, 1e-12, "HVP");
        Check.Close(fullCross, sumCross, 1e-12, "cross product");
        Check.Close(fullFx, sumFx, 1e-12, "∇x f");
        Check.Close(problem.UpperValue(x, y), sumF, 1e-12, "f");
        Check.Close(problem.LowerValue(x, y), sumG, 1e-12, "g");
    }

    [Fact]
    public void ExactHypergradient_FiniteSum_MatchesCentralDifferenceOfPhi()
    {
        var (problem, x, _, _, _) = Point(0);
        var exact = new double[4];
        problem.ExactHypergradient(x, exact);
        var fd = FiniteDifference.Gradient(p => problem.ExactUpperObjective(p), x);
        Check.Close(fd, exact, 1e-7, "∇Φ");
    }

    [Fact]
    public void SingleSampleLowerHessians_AreStronglyConvex()
    {
        var problem = FiniteSumQuadraticProblem.CreateRandom(10, 20, 10, 200, seed: 0, noise: 0.5);
        var (mu, _) = problem.LowerCurvature(new double[10]);
        var x = new double[10];
        var y = new double[20];
        var v = TestProblems.RandomVector(20, 5);
        var hv = new double[20];
        for (var i = 0; i < 200; i++)
        {
            problem.LowerHvp(x, y, v, hv, Batch.Of([i]));
            var curvature = OracleChecks.Dot(v, hv) / OracleChecks.Dot(v, v);
            Assert.True(curvature >= (0.5 * mu) - 1e-12, $"sample {i}: vᵀHv/vᵀv = {curvature} < μ/2 = {0.5 * mu}");
        }
    }

    [Fact]
    public void CreateRandom_BadArguments_ThrowNamingThem()
    {
        Assert.Throws<ArgumentOutOfRangeException>("samples", () => FiniteSumQuadraticProblem.CreateRandom(2, 2, 10, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>("noise", () => FiniteSumQuadraticProblem.CreateRandom(2, 2, 10, 10, 0, noise: 1));
    }
}
