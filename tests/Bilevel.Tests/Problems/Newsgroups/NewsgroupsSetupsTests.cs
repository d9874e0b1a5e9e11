using System.Diagnostics;
using Bilevel.Problems.Newsgroups;
using Bilevel.Tests.TestSupport;
using Xunit.Abstractions;

namespace Bilevel.Tests.Problems.Newsgroups;

/// <summary>The stratified split, and the problem on the bundled 20 Newsgroups bydate archive (data/20newsgroups).</summary>
public sealed class NewsgroupsSetupsTests(ITestOutputHelper output)
{
    [Fact]
    public void StratifiedHalves_OddClasses_HalvesEachClassAndAlternatesTheExtra()
    {
        // Class sizes 5, 4, 3, 1: odd classes 0, 2, 3 give their extra index to the first, second, first half.
        int[] labels = [0, 1, 0, 2, 1, 0, 3, 2, 1, 0, 2, 0, 1];
        var (first, second) = NewsgroupsSetups.StratifiedHalves(labels, 4, 3);
        Assert.Equal(Enumerable.Range(0, labels.Length), first.Concat(second).Order());
        Assert.Equal(first.Order(), first);
        int Count(int[] half, int label) => half.Count(i => labels[i] == label);
        Assert.Equal([3, 2, 1, 1], Enumerable.Range(0, 4).Select(k => Count(first, k)));
        Assert.Equal([2, 2, 2, 0], Enumerable.Range(0, 4).Select(k => Count(second, k)));
    }

    [Fact]
    public void StratifiedHalves_Seeds_AreReproducibleAndDiffer()
    {
        var labels = Enumerable.Range(0, 200).Select(i => i % 7).ToArray();
        Assert.Equal(NewsgroupsSetups.StratifiedHalves(labels, 7, 1).First, NewsgroupsSetups.StratifiedHalves(labels, 7, 1).First);
        Assert.NotEqual(NewsgroupsSetups.StratifiedHalves(labels, 7, 1).First, NewsgroupsSetups.StratifiedHalves(labels, 7, 2).First);
    }

    [Fact]
    public void Create_BundledNewsgroups_PaperShapesAndFiniteFullBatchOracles()
    {
        // The archive is bundled in data/; like the other real-data tests this fails (DatasetNotFoundException, naming
        // every place looked) rather than passing silently when it is missing.
        var clock = Stopwatch.StartNew();
        var data = NewsgroupsSetups.Create(seed: 0);
        var setupSeconds = clock.Elapsed.TotalSeconds;
        Assert.Equal((101629, 20), (data.FeatureCount, data.ClassCount));
        Assert.Equal((5657, 5657, 7532), (data.Train.Count, data.Validation.Count, data.Test.Count));
        for (var k = 0; k < 20; k++)
        {
            Assert.InRange(data.Train.Labels.Count(l => l == k) - data.Validation.Labels.Count(l => l == k), -1, 1);
        }

        var problem = new PerFeatureL2Problem(data);
        Assert.Equal((101629, 101629 * 20), (problem.UpperDimension, problem.LowerDimension));
        var x = new double[problem.UpperDimension];
        var y = TestProblems.RandomVector(problem.LowerDimension, 1, 0.1);
        var v = TestProblems.RandomVector(problem.LowerDimension, 2);
        var (gx, gy) = (new double[problem.UpperDimension], new double[problem.LowerDimension]);
        var (hvp, cross) = (new double[problem.LowerDimension], new double[problem.UpperDimension]);
        var fy = new double[problem.LowerDimension];
        var value = problem.LowerValue(x, y);
        problem.LowerGradients(x, y, gx, gy);
        problem.LowerHvpAndCrossProduct(x, y, v, hvp, cross);
        problem.UpperGradients(x, y, new double[problem.UpperDimension], fy);
        Assert.True(double.IsFinite(value) && value > 0, $"g = {value}");
        foreach (var (vector, name) in new[] { (gx, "∇λ g"), (gy, "∇W g"), (hvp, "HVP"), (cross, "cross product"), (fy, "∇W f") })
        {
            Assert.True(vector.All(double.IsFinite), $"{name} is not finite");
            Assert.True(Check.Norm(vector) > 0, $"{name} is zero");
        }

        var (accuracy, loss) = problem.TestScore(new double[problem.LowerDimension]);
        Assert.Equal(Math.Log(20), loss, 12);
        Assert.InRange(accuracy, 0.01, 0.1);
        output.WriteLine($"{data.Description}; setup {setupSeconds:F1} s; train nnz {data.Train.Features.NonZeroCount}, " +
            $"validation nnz {data.Validation.Features.NonZeroCount}, test nnz {data.Test.Features.NonZeroCount}");
        output.WriteLine($"oracles: {problem.Counter.Snapshot()}");
    }
}
