using Bilevel.Data.Images;
using Bilevel.Data.Omniglot;

namespace Bilevel.Tests.Data.Omniglot;

public sealed class EpisodeSamplerTests
{
    [Fact]
    public void Split_PartsAreDisjointAndCoverTheBundledAlphabets()
    {
        string[] all = [.. OmniglotSplit.MetaTrain, .. OmniglotSplit.MetaValidation, .. OmniglotSplit.MetaTest];

        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.Equal(OmniglotTestData.Bundled.Alphabets.Select(a => a.Name), all.Order(StringComparer.Ordinal));
        Assert.Equal(["Korean"], OmniglotSplit.Alphabets(OmniglotSplitPart.MetaValidation));
    }

    [Theory]
    [InlineData(OmniglotSplitPart.MetaTrain, false, 143)]
    [InlineData(OmniglotSplitPart.MetaValidation, false, 40)]
    [InlineData(OmniglotSplitPart.MetaTest, false, 59)]
    [InlineData(OmniglotSplitPart.MetaTrain, true, 572)]
    [InlineData(OmniglotSplitPart.MetaValidation, true, 160)]
    [InlineData(OmniglotSplitPart.MetaTest, true, 236)]
    public void Classes_PerSplitPart_CharacterCountTimesRotations(OmniglotSplitPart part, bool rotations, int expected)
    {
        var sampler = new EpisodeSampler(OmniglotTestData.Bundled, part, rotations, seed: 0);

        Assert.Equal(expected, sampler.Classes.Count);
        Assert.Equal(expected, sampler.Classes.Distinct().Count());
        Assert.All(sampler.Classes, c => Assert.Contains(c.Character.Alphabet, OmniglotSplit.Alphabets(part)));
    }

    [Fact]
    public void Sample_SameSeed_IdenticalEpisodes()
    {
        var a = new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaTrain, rotations: true, seed: 42);
        var b = new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaTrain, rotations: true, seed: 42);

        for (var t = 0; t < 5; t++)
        {
            var x = a.Sample(5, 1, 15);
            var y = b.Sample(5, 1, 15);

            Assert.Equal(x.Classes, y.Classes);
            Assert.Equal(x.SupportImages, y.SupportImages);
            Assert.Equal(x.QueryImages, y.QueryImages);
            Assert.Equal(x.SupportDrawings, y.SupportDrawings);
            Assert.Equal(x.QueryDrawings, y.QueryDrawings);
        }
    }

    [Fact]
    public void Sample_DifferentSeeds_DifferentEpisodes()
    {
        var a = new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaTrain, rotations: true, seed: 1).Sample(5, 1, 15);
        var b = new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaTrain, rotations: true, seed: 2).Sample(5, 1, 15);

        Assert.NotEqual(a.Classes, b.Classes);
        Assert.NotEqual(a.SupportImages, b.SupportImages);
    }

    [Fact]
    public void Sample_ConsecutiveEpisodes_Differ()
    {
        var sampler = new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaTest, rotations: false, seed: 3);

        Assert.NotEqual(sampler.Sample(5, 5, 15).Classes, sampler.Sample(5, 5, 15).Classes);
    }

    [Theory]
    [InlineData(5, 1, 15, true)]
    [InlineData(5, 5, 15, true)]
    [InlineData(20, 1, 15, true)]
    [InlineData(20, 5, 15, false)]
    public void Sample_PaperSettings_ShapesLabelsAndDisjointness(int ways, int shots, int queries, bool rotations)
    {
        var sampler = new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaValidation, rotations, seed: 7);
        for (var t = 0; t < 20; t++)
        {
            var e = sampler.Sample(ways, shots, queries);

            Assert.Equal(ways * shots * 784, e.SupportImages.Length);
            Assert.Equal(ways * queries * 784, e.QueryImages.Length);
            Assert.Equal(Enumerable.Range(0, ways * shots).Select(i => i / shots), e.SupportLabels);
            Assert.Equal(Enumerable.Range(0, ways * queries).Select(i => i / queries), e.QueryLabels);
            Assert.Equal(ways, e.Classes.Distinct().Count()); // no class twice in a task
            for (var n = 0; n < ways; n++)
            {
                var support = e.SupportDrawings.Skip(n * shots).Take(shots).ToArray();
                var query = e.QueryDrawings.Skip(n * queries).Take(queries).ToArray();
                Assert.Equal(shots + queries, support.Concat(query).Distinct().Count()); // support ∩ query = ∅, no repeats
                Assert.All(support.Concat(query), d => Assert.InRange(d, 0, 19));
            }
        }
    }

    [Fact]
    public void Sample_Images_AreRotatedDatasetDrawings()
    {
        var sampler = new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaTrain, rotations: true, seed: 11);
        var checkedRotations = new HashSet<int>();
        for (var t = 0; t < 10; t++)
        {
            var e = sampler.Sample(5, 2, 3);
            for (var row = 0; row < e.SupportLabels.Length; row++)
            {
                var c = e.Classes[e.SupportLabels[row]];
                var expected = ImageTransforms.Rotate90(c.Character.Image(e.SupportDrawings[row]), 28, c.QuarterTurns);
                Assert.Equal(expected, e.SupportImages.AsSpan(row * 784, 784).ToArray());
                checkedRotations.Add(c.QuarterTurns);
            }

            for (var row = 0; row < e.QueryLabels.Length; row++)
            {
                var c = e.Classes[e.QueryLabels[row]];
                var expected = ImageTransforms.Rotate90(c.Character.Image(e.QueryDrawings[row]), 28, c.QuarterTurns);
                Assert.Equal(expected, e.QueryImages.AsSpan(row * 784, 784).ToArray());
            }
        }

        Assert.Equal([0, 1, 2, 3], checkedRotations.Order());
    }

    [Fact]
    public void Sample_WithoutRotations_AllQuarterTurnsZero()
    {
        var sampler = new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaTrain, rotations: false, seed: 5);

        for (var t = 0; t < 20; t++)
        {
            Assert.All(sampler.Sample(20, 1, 5).Classes, c => Assert.Equal(0, c.QuarterTurns));
        }
    }

    [Fact]
    public void Sample_ManyEpisodes_ClassesDrawnUniformlyFromThePartOnly()
    {
        // 5-way from the 59 meta-test classes, 2360 tasks: each class is expected 200 times (sd ≈ 13.4); allow ±60.
        var sampler = new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaTest, rotations: false, seed: 13);
        var counts = new Dictionary<OmniglotCharacter, int>();
        for (var t = 0; t < 2360; t++)
        {
            foreach (var c in sampler.Sample(5, 1, 1).Classes)
            {
                counts[c.Character] = counts.GetValueOrDefault(c.Character) + 1;
            }
        }

        Assert.Equal(59, counts.Count);
        Assert.All(counts.Keys, c => Assert.Contains(c.Alphabet, OmniglotSplit.MetaTest));
        Assert.All(counts.Values, n => Assert.InRange(n, 140, 260));
    }

    [Fact]
    public void Sample_TooManyWays_Throws()
    {
        var sampler = new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaValidation, rotations: false, seed: 0);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(41, 1, 1));
        Assert.Contains("41-way tasks need 41 classes, this sampler has 40", e.Message, StringComparison.Ordinal);
        Assert.Equal(40, sampler.Sample(40, 1, 1).Classes.Count);
    }

    [Fact]
    public void Sample_ShotsPlusQueriesOver20_Throws()
    {
        var sampler = new EpisodeSampler(OmniglotTestData.Bundled, OmniglotSplitPart.MetaTrain, rotations: false, seed: 0);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(5, 6, 15));
        Assert.Contains("6 shots + 15 queries exceed the 20 drawings per character", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => sampler.Sample(5, 0, 15));
    }

    [Fact]
    public void Constructor_UnknownAlphabet_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new EpisodeSampler(OmniglotTestData.Bundled, ["Greek", "Klingon"], rotations: false, seed: 0));

        Assert.Contains("alphabet \"Klingon\" is not in the data set", e.Message, StringComparison.Ordinal);
    }
}
