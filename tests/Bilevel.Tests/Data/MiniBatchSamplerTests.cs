using Bilevel.Data;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Data;

public sealed class MiniBatchSamplerTests
{
    private static List<int[]> Take(MiniBatchSampler sampler, int batches)
    {
        var list = new List<int[]>();
        for (var b = 0; b < batches; b++)
        {
            list.Add(sampler.Next().ToArray());
        }

        return list;
    }

    [Fact]
    public void Next_DropLast_FullBatchesEachSampleAtMostOncePerEpoch()
    {
        var sampler = new MiniBatchSampler(10, 3, seed: 1);

        Assert.Equal(3, sampler.BatchesPerEpoch);
        for (var epoch = 0; epoch < 5; epoch++)
        {
            var seen = new HashSet<int>();
            for (var b = 0; b < 3; b++)
            {
                var batch = sampler.Next();
                Assert.Equal((epoch, b), (sampler.Epoch, sampler.BatchInEpoch));
                Assert.Equal(3, batch.Length);
                foreach (var i in batch)
                {
                    Assert.InRange(i, 0, 9);
                    Assert.True(seen.Add(i), $"epoch {epoch}: index {i} twice");
                }
            }

            Assert.Equal(9, seen.Count);
        }
    }

    [Fact]
    public void Next_KeepPartial_EverySampleExactlyOncePerEpoch()
    {
        var sampler = new MiniBatchSampler(10, 3, seed: 2, LastBatchPolicy.KeepPartial);

        Assert.Equal(4, sampler.BatchesPerEpoch);
        for (var epoch = 0; epoch < 5; epoch++)
        {
            var batches = Take(sampler, 4);
            Assert.Equal([3, 3, 3, 1], batches.Select(b => b.Length));
            Assert.Equal(Enumerable.Range(0, 10), batches.SelectMany(b => b).Order());
        }
    }

    [Fact]
    public void Next_DropLast_DroppedSamplesVaryAcrossEpochs()
    {
        // 1,000 samples in batches of 300: 100 dropped per epoch; over 20 epochs every sample is served.
        var sampler = new MiniBatchSampler(1_000, 300, seed: 3);
        var served = new int[1_000];
        for (var b = 0; b < 20 * 3; b++)
        {
            foreach (var i in sampler.Next())
            {
                served[i]++;
            }
        }

        Assert.Equal(18_000, served.Sum());
        Assert.All(served, s => Assert.InRange(s, 10, 20)); // mean 18, Binomial(20, 0.9)
    }

    [Fact]
    public void Next_EachEpoch_Reshuffled()
    {
        var sampler = new MiniBatchSampler(1_000, 1_000, seed: 4);

        var first = sampler.Next().ToArray();
        var second = sampler.Next().ToArray();

        Assert.NotEqual(first, second);
        Assert.Equal(first.Order(), second.Order());
        Assert.NotEqual(Enumerable.Range(0, 1_000), first);
    }

    [Fact]
    public void Next_SameSeed_SameBatchesAndResetReplays()
    {
        var a = new MiniBatchSampler(103, 10, seed: 5);
        var b = new MiniBatchSampler(103, 10, seed: 5);
        var c = new MiniBatchSampler(103, 10, seed: 6);

        var fromA = Take(a, 50);
        Assert.Equal(fromA, Take(b, 50));
        Assert.NotEqual(fromA, Take(c, 50));

        a.Reset();
        Assert.Equal(fromA, Take(a, 50));
    }

    [Fact]
    public void Streams_UpperUnaffectedByLowerConsumption()
    {
        var upperSeed = SeedStreams.Derive(42, SeedStreams.Upper);
        var lowerSeed = SeedStreams.Derive(42, SeedStreams.Lower);
        Assert.NotEqual(upperSeed, lowerSeed);
        Assert.Equal(upperSeed, SeedStreams.Derive(42, SeedStreams.Upper));
        Assert.NotEqual(upperSeed, SeedStreams.Derive(43, SeedStreams.Upper));
        Assert.InRange(upperSeed, 0, int.MaxValue);

        var upperAlone = Take(new MiniBatchSampler(5_000, 256, upperSeed), 40);
        var upper = new MiniBatchSampler(5_000, 256, upperSeed);
        var lower = new MiniBatchSampler(5_000, 256, lowerSeed);
        var interleaved = new List<int[]>();
        for (var k = 0; k < 40; k++)
        {
            for (var t = 0; t < 1 + (k % 5); t++)
            {
                lower.Next();
            }

            interleaved.Add(upper.Next().ToArray());
        }

        Assert.Equal(upperAlone, interleaved);
        lower.Reset();
        Assert.NotEqual(upperAlone[0], lower.Next().ToArray());
    }

    [Fact]
    public void NextBatch_MatchesNextAndReusesBuffer()
    {
        var a = new MiniBatchSampler(10, 4, seed: 7, LastBatchPolicy.KeepPartial);
        var b = new MiniBatchSampler(10, 4, seed: 7, LastBatchPolicy.KeepPartial);

        var first = a.NextBatch();
        Assert.Equal(b.Next().ToArray(), first.Indices.ToArray());
        var second = a.NextBatch();
        Assert.Equal(b.Next().ToArray(), second.Indices.ToArray());
        Assert.Equal(first, second); // same reused buffer
        var last = a.NextBatch();
        Assert.Equal(b.Next().ToArray(), last.Indices.ToArray());
        Assert.Equal(2, last.Count(10));
    }

    [Fact]
    public void Next_SteadyState_AllocatesNothing()
    {
        var sampler = new MiniBatchSampler(20_000, 256, seed: 8, LastBatchPolicy.KeepPartial);
        var checksum = 0L;
        for (var b = 0; b < 200; b++)
        {
            checksum += sampler.Next()[0] + sampler.NextBatch().Indices[0];
        }

        var allocated = Allocations.SteadyState(() =>
        {
            for (var b = 0; b < 1000; b++)
            {
                checksum += sampler.Next()[0] + sampler.NextBatch().Indices[0];
            }
        });

        Assert.Equal(0, allocated);
        Assert.True(checksum > 0);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(10, 0)]
    [InlineData(10, 11)]
    public void Constructor_BadSizes_Throws(int count, int batchSize)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MiniBatchSampler(count, batchSize, seed: 0));
    }
}
